package dev.surf.models.video;

import dev.surf.core.Half;
import dev.surf.core.DType;
import dev.surf.core.safetensors.SafetensorsFile;
import dev.surf.core.safetensors.TensorInfo;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Tensor {@code video} [3, T, H, W] (F32, BF16 or F16, values in [-1, 1]) of a safetensors file, what
 * {@code surf vae-decode --output OUT.safetensors} writes. Frames are read one at a time from the
 * mapped file (frame t of channel c is the plane at (c T + t) H W).
 */
public final class SafetensorsVideoReader implements VideoReader {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private final Path file;
    private final SafetensorsFile in;
    private final MemorySegment data;
    private final DType dtype;
    private final int frames;
    private final int height;
    private final int width;
    private int next;

    /** @throws IOException naming the file when it has no usable tensor {@code video} */
    public SafetensorsVideoReader(Path file) throws IOException {
        this.file = file;
        this.in = SafetensorsFile.open(file);
        try {
            if (!in.has("video")) {
                throw new IOException("video tensor file " + file + " lacks tensor 'video' [3, T, H, W]; it holds "
                        + (in.names().isEmpty() ? "no tensors" : String.join(", ", in.names().subList(0, Math.min(8, in.names().size())))));
            }
            TensorInfo info = in.info("video");
            dtype = info.dtype();
            if (dtype != DType.F32 && dtype != DType.BF16 && dtype != DType.F16) {
                throw new IOException("tensor video in " + file + " has dtype " + info.dtypeName() + "; expected F32, BF16 or F16");
            }
            if (info.shape().rank() != 4 || info.shape().dim(0) != 3) {
                throw new IOException("tensor video in " + file + " has shape " + info.shape() + "; expected [3, T, H, W]");
            }
            frames = info.shape().dim(1);
            height = info.shape().dim(2);
            width = info.shape().dim(3);
            data = in.data("video");
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int height() {
        return height;
    }

    @Override
    public float[] next() {
        if (next >= frames) {
            return null;
        }
        int plane = width * height;
        float[] f = new float[3 * plane];
        long es = dtype.byteSize();
        for (int c = 0; c < 3; c++) {
            long base = ((long) c * frames + next) * plane * es;
            for (int p = 0; p < plane; p++) {
                long at = base + p * es;
                f[c * plane + p] = switch (dtype) {
                    case BF16 -> Half.bf16ToFloat(data.get(I16, at));
                    case F16 -> Half.f16ToFloat(data.get(I16, at));
                    default -> data.get(F32, at);
                };
            }
        }
        next++;
        return f;
    }

    @Override
    public String describe() {
        return "tensor video of " + file + " (" + frames + " frames " + width + "x" + height + ")";
    }

    @Override
    public void close() {
        in.close();
    }
}
