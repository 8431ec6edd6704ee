package dev.surf.core.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * exp(x) for x <= 0 in F32 (the softmax range), built from IEEE adds, multiplies and FMAs only.
 *
 * <p>Why not {@code lanewise(EXP)}: the Vector API computes it with a native library when compiled
 * and with {@link Math#exp} when interpreted, so the bits could change as code warms up. These
 * operations are exact-rounded everywhere, and the scalar and vector forms agree bit for bit.
 * Cody-Waite range reduction plus the Cephes degree-6 polynomial: about 1 ulp; x < -87 gives 0
 * (the result would be subnormal), which also covers -infinity.
 */
final class CpuExp {
    private static final VectorSpecies<Float> S = CpuGemmKernel.S;
    private static final float LOG2E = 1.44269504088896341f;
    /** 1.5 * 2^23: adding it rounds to an integer held in the low mantissa bits. */
    private static final float MAGIC = 12582912f;
    private static final int MAGIC_BITS = Float.floatToRawIntBits(MAGIC);
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float P0 = 1.9875691500e-4f;
    private static final float P1 = 1.3981999507e-3f;
    private static final float P2 = 8.3334519073e-3f;
    private static final float P3 = 4.1665795894e-2f;
    private static final float P4 = 1.6666665459e-1f;
    private static final float P5 = 5.0000001201e-1f;
    static final float UNDERFLOW = -87f;

    private CpuExp() {
    }

    static FloatVector exp(FloatVector x) {
        FloatVector t = x.mul(LOG2E).add(MAGIC);
        FloatVector n = t.sub(MAGIC);
        FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), x);
        r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector p = r.fma(FloatVector.broadcast(S, P0), FloatVector.broadcast(S, P1));
        p = p.fma(r, FloatVector.broadcast(S, P2));
        p = p.fma(r, FloatVector.broadcast(S, P3));
        p = p.fma(r, FloatVector.broadcast(S, P4));
        p = p.fma(r, FloatVector.broadcast(S, P5));
        FloatVector e = p.fma(r.mul(r), r).add(1f);
        IntVector bits = t.reinterpretAsInts().sub(MAGIC_BITS).add(127).lanewise(VectorOperators.LSHL, 23);
        e = e.mul(bits.reinterpretAsFloats());
        return e.blend(FloatVector.zero(S), x.lt(UNDERFLOW));
    }

    static float exp(float x) {
        if (x < UNDERFLOW) {
            return 0f;
        }
        float t = x * LOG2E + MAGIC;
        float n = t - MAGIC;
        float r = Math.fma(n, -LN2_HI, x);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(r, P0, P1);
        p = Math.fma(p, r, P2);
        p = Math.fma(p, r, P3);
        p = Math.fma(p, r, P4);
        p = Math.fma(p, r, P5);
        float e = Math.fma(p, r * r, r) + 1f;
        int bits = (Float.floatToRawIntBits(t) - MAGIC_BITS + 127) << 23;
        return e * Float.intBitsToFloat(bits);
    }
}
