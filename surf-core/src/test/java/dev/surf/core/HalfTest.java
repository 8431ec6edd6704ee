package dev.surf.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HalfTest {

    /** Reference bf16 rounding from exact decimal arithmetic: nearest representable, ties to even mantissa. */
    private static float bf16Reference(float f) {
        int bits = Float.floatToRawIntBits(f);
        float lo = Float.intBitsToFloat(bits & 0xffff0000);
        float hi = Float.intBitsToFloat((bits & 0xffff0000) + 0x10000);
        if (lo == f) {
            return f;
        }
        BigDecimal x = new BigDecimal(f);
        BigDecimal dl = x.subtract(new BigDecimal(lo)).abs();
        BigDecimal dh = Float.isInfinite(hi) ? null : x.subtract(new BigDecimal(hi)).abs();
        if (dh == null) {
            // the next value up is infinity: ties and above round to it, as IEEE does
            BigDecimal half = new BigDecimal(Float.intBitsToFloat((bits & 0xffff0000) + 0x8000));
            return x.abs().compareTo(half.abs()) >= 0 ? hi : lo;
        }
        int c = dl.compareTo(dh);
        if (c < 0) {
            return lo;
        }
        if (c > 0) {
            return hi;
        }
        return ((bits >>> 16) & 1) == 0 ? lo : hi;
    }

    @Test
    void bf16RoundsToNearestEven() {
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 100_000; i++) {
            float f = Float.intBitsToFloat(r.nextInt());
            if (Float.isNaN(f) || Float.isInfinite(f)) {
                continue;
            }
            assertEquals(bf16Reference(f), Half.roundBf16(f), "bits " + Integer.toHexString(Float.floatToRawIntBits(f)));
        }
        // exact ties: 1 + 2^-8 lies halfway between 1 and 1 + 2^-7; the even neighbour is 1
        assertEquals(1.0f, Half.roundBf16(1.0f + 0x1.0p-8f));
        assertEquals(1.0f + 0x1.0p-6f, Half.roundBf16(1.0f + 3 * 0x1.0p-8f));
    }

    @Test
    void bf16SpecialValues() {
        assertTrue(Float.isNaN(Half.roundBf16(Float.NaN)));
        assertTrue(Float.isNaN(Half.bf16ToFloat(Half.floatToBf16(Float.intBitsToFloat(0x7f800001)))), "signalling NaN stays NaN");
        assertEquals(Float.POSITIVE_INFINITY, Half.roundBf16(Float.POSITIVE_INFINITY));
        assertEquals(Float.NEGATIVE_INFINITY, Half.roundBf16(Float.NEGATIVE_INFINITY));
        assertEquals(Float.POSITIVE_INFINITY, Half.roundBf16(Float.MAX_VALUE), "FLT_MAX is past the last bf16 halfway point");
        assertEquals(-0.0f, Half.roundBf16(-0.0f));
        assertEquals(0x8000, Half.floatToBf16(-0.0f) & 0xffff);
        float sub = Float.intBitsToFloat(0x00030000); // a subnormal whose bits all lie in the bf16 part
        assertEquals(sub, Half.roundBf16(sub), "subnormals with few bits survive");
    }

    @Test
    void f16RoundTripAndSpecials() {
        for (int b = 0; b < 65536; b++) {
            float f = Half.f16ToFloat((short) b);
            if (!Float.isNaN(f)) {
                assertEquals(b, Half.floatToF16(f) & 0xffff, "half bits " + b);
            } else {
                assertTrue(Float.isNaN(Half.f16ToFloat(Half.floatToF16(f))));
            }
        }
        assertEquals(Float.POSITIVE_INFINITY, Half.f16ToFloat(Half.floatToF16(65520f)), "65520 rounds to inf");
        assertEquals(65504f, Half.f16ToFloat(Half.floatToF16(65519f)));
        assertEquals(1.0f, Half.f16ToFloat(Half.floatToF16(1.0f + 0x1.0p-11f)), "tie to even");
    }
}
