package dev.surf.core.safetensors;

import dev.surf.core.DType;
import dev.surf.core.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Cross-checks parsed header entries against each other and against the data section, so that
 * every {@link TensorInfo} handed out describes bytes that exist and belong to that tensor alone.
 */
final class HeaderValidator {
    private HeaderValidator() {
    }

    /**
     * Validates the entries of {@code file}, whose data section holds {@code dataLength} bytes, and
     * returns them ordered by data offset (ties keep header order).
     */
    static List<TensorInfo> validate(Path file, List<HeaderParser.RawEntry> entries, long dataLength)
            throws SafetensorsException {
        List<TensorInfo> infos = new ArrayList<>(entries.size());
        for (HeaderParser.RawEntry e : entries) {
            infos.add(check(file, e, dataLength));
        }
        infos.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        checkDisjoint(file, infos);
        return infos;
    }

    private static TensorInfo check(Path file, HeaderParser.RawEntry e, long dataLength) throws SafetensorsException {
        String what = "tensor '" + e.name() + "'";
        int bits = StoredDType.bits(e.dtype());
        if (bits == 0) {
            throw new SafetensorsException(file, what + ": unknown dtype '" + e.dtype() + "'");
        }
        long numel = 1;
        for (long d : e.dims()) {
            if (d > Integer.MAX_VALUE) {
                throw new SafetensorsException(file, what + ": dimension " + d + " in shape "
                        + Arrays.toString(e.dims()) + " exceeds the engine's limit of " + Integer.MAX_VALUE);
            }
            numel = multiply(file, what, e, numel, d);
        }
        long totalBits = multiply(file, what, e, numel, bits);
        if (totalBits % 8 != 0) {
            throw new SafetensorsException(file, what + ": " + numel + " elements of " + e.dtype()
                    + " do not fill a whole number of bytes");
        }
        long need = totalBits / 8;
        if (e.begin() > e.end()) {
            throw new SafetensorsException(file, what + ": data_offsets [" + e.begin() + ", " + e.end()
                    + "] have begin > end");
        }
        if (e.end() > dataLength) {
            throw new SafetensorsException(file, what + ": data_offsets [" + e.begin() + ", " + e.end()
                    + "] are out of range of the data section (" + dataLength + " bytes)");
        }
        if (e.end() - e.begin() != need) {
            throw new SafetensorsException(file, what + ": data_offsets [" + e.begin() + ", " + e.end()
                    + "] span " + (e.end() - e.begin()) + " bytes but " + e.dtype() + " "
                    + Arrays.toString(e.dims()) + " needs " + need);
        }
        // Safe now: every dim fits an int and their product did not overflow.
        return new TensorInfo(e.name(), e.dtype(), DType.fromSafetensors(e.dtype()), Shape.ofLongs(e.dims()),
                e.begin(), e.end());
    }

    private static long multiply(Path file, String what, HeaderParser.RawEntry e, long a, long b)
            throws SafetensorsException {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException overflow) {
            throw new SafetensorsException(file, what + ": size of " + e.dtype() + " " + Arrays.toString(e.dims())
                    + " overflows 64 bits");
        }
    }

    /** Sorted by begin, no non-empty range may start before the previous ones end. */
    private static void checkDisjoint(Path file, List<TensorInfo> sorted) throws SafetensorsException {
        TensorInfo reach = null; // the tensor that ends furthest so far
        for (TensorInfo t : sorted) {
            if (t.begin() == t.end()) {
                continue; // an empty tensor occupies no bytes, so it cannot collide
            }
            if (reach != null && t.begin() < reach.end()) {
                throw new SafetensorsException(file, "tensors '" + reach.name() + "' [" + reach.begin() + ", "
                        + reach.end() + "] and '" + t.name() + "' [" + t.begin() + ", " + t.end()
                        + "] have overlapping data_offsets");
            }
            if (reach == null || t.end() > reach.end()) {
                reach = t;
            }
        }
    }
}
