package dev.surf.core;

/** Conversions between F32 and the 16-bit float formats, round-to-nearest-even, as PyTorch does. */
public final class Half {
    private Half() {
    }

    /** bfloat16 bits to float (exact). */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /**
     * float to bfloat16 bits, round-to-nearest-even. NaN stays NaN (quiet, sign kept); values past the
     * largest bf16 round to infinity exactly as IEEE rounding says.
     */
    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int lsb = (bits >>> 16) & 1;
        return (short) ((bits + 0x7fff + lsb) >>> 16);
    }

    /** IEEE half bits to float (exact). */
    public static float f16ToFloat(short bits) {
        return Float.float16ToFloat(bits);
    }

    /** float to IEEE half bits, round-to-nearest-even (overflow to infinity, NaN kept). */
    public static short floatToF16(float f) {
        return Float.floatToFloat16(f);
    }

    /** Rounds f to the nearest bf16 value and back: what a bf16 store-and-load does to it. */
    public static float roundBf16(float f) {
        return bf16ToFloat(floatToBf16(f));
    }
}
