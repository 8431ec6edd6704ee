package dev.surf.models.cli;

import dev.surf.core.DType;
import dev.surf.core.safetensors.SafetensorsFile;
import dev.surf.core.safetensors.TensorInfo;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Token ids given instead of a prompt: a safetensors file with {@code ids} and {@code mask} (I64 or
 * I32, [n] or [1, n]), as the official tokenizer returns them. The mask must be ones then zeros
 * (right padding); the real tokens are the ones.
 */
final class TokenIdsInput {
    private TokenIdsInput() {
    }

    /** The real token ids (the mask's ones, EOS included) of the file. */
    static int[] read(Path file) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            int[] ids = ints(f, file, "ids");
            int[] mask = ints(f, file, "mask");
            if (mask.length != ids.length) {
                throw new SurfCli.UserException("--ids " + file + ": 'mask' has " + mask.length + " entries, 'ids' " + ids.length);
            }
            int n = 0;
            while (n < mask.length && mask[n] == 1) {
                n++;
            }
            for (int i = n; i < mask.length; i++) {
                if (mask[i] != 0) {
                    throw new SurfCli.UserException("--ids " + file + ": 'mask' must be ones then zeros (right padding), got "
                            + mask[i] + " at position " + i + " after " + n + " ones");
                }
            }
            if (n == 0) {
                throw new SurfCli.UserException("--ids " + file + ": 'mask' has no real token (every prompt has at least its EOS)");
            }
            return Arrays.copyOf(ids, n);
        }
    }

    private static int[] ints(SafetensorsFile f, Path file, String name) throws IOException {
        if (!f.has(name)) {
            throw new SurfCli.UserException("--ids " + file + " lacks tensor '" + name + "' (expected I64 [n]: 'ids' and 'mask')");
        }
        TensorInfo info = f.info(name);
        boolean vector = info.shape().rank() == 1 || info.shape().rank() == 2 && info.shape().dim(0) == 1;
        if (info.dtype() != DType.I64 && info.dtype() != DType.I32 || !vector || info.shape().numel() == 0) {
            throw new SurfCli.UserException("--ids " + file + ": tensor '" + name + "' is " + info.dtypeName() + info.shape()
                    + "; expected I64 or I32 [n] or [1, n] with n >= 1");
        }
        MemorySegment data = f.data(name);
        if (info.dtype() == DType.I32) {
            return data.toArray(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
        }
        long[] v = data.toArray(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] < Integer.MIN_VALUE || v[i] > Integer.MAX_VALUE) {
                throw new SurfCli.UserException("--ids " + file + ": '" + name + "' value " + v[i] + " at " + i + " is out of range");
            }
            out[i] = (int) v[i];
        }
        return out;
    }
}
