package dev.surf.core;

/**
 * Standard normal samples from Philox4x32-10 with Box-Muller, defined so that a CUDA kernel reproduces
 * them bit for bit. This text is the specification a kernel follows.
 *
 * <p>Element i of the stream (seed, offset), i >= 0:
 * <ol>
 * <li>Block g = i / 4, lane = i % 4. Philox4x32-10 with counter (lo32(g), hi32(g), lo32(offset),
 *     hi32(offset)) and key (lo32(seed), hi32(seed)) gives words u0..u3.</li>
 * <li>Lanes 0, 1 use the pair (a, b) = (u0, u1); lanes 2, 3 use (u2, u3). Words are unsigned.</li>
 * <li>In double precision: U = (a + 0.5) * 2^-32, in (0, 1); r = sqrt(-2 * ln U); the angle is
 *     2 pi b / 2^32. Even lanes return r cos(angle), odd lanes r sin(angle), rounded to float.</li>
 * </ol>
 * ln, sin and cos are not the platform's: they are the fixed sequences of IEEE double add, multiply,
 * fused multiply-add, divide and sqrt below ({@link #ln}, {@link #cosSinTurn}), with the coefficients
 * given as exact hexadecimal literals. Each of those operations is correctly rounded on the CPU and
 * on the GPU (CUDA: __dadd_rn, __dmul_rn, __fma_rn, __ddiv_rn, __dsqrt_rn, which the compiler does not
 * contract), so the results are identical. Accuracy is about 1e-16 relative, far beyond what a float
 * sample keeps. The largest |sample| is about 6.8 (U >= 2^-33).
 *
 * <p>Different offsets give independent streams for the same seed (each 2^64 blocks long).
 */
public final class PhiloxNormal {
    private PhiloxNormal() {
    }

    private static final double TWO_POW_M32 = 0x1.0p-32;
    private static final double TWO_POW_M30 = 0x1.0p-30;
    private static final double SQRT2 = 0x1.6a09e667f3bcdp0;
    private static final double LN2 = 0x1.62e42fefa39efp-1;
    private static final double HALF_PI = 0x1.921fb54442d18p0;

    /** 1/(2k+1) for k = 0..11: ln(m) = 2 s sum_k s^(2k) / (2k+1), s = (m-1)/(m+1), |s| <= 0.172. */
    static final double[] LN_COEF = {
        0x1.0000000000000p0, 0x1.5555555555555p-2, 0x1.999999999999ap-3, 0x1.2492492492492p-3,
        0x1.c71c71c71c71cp-4, 0x1.745d1745d1746p-4, 0x1.3b13b13b13b14p-4, 0x1.1111111111111p-4,
        0x1.e1e1e1e1e1e1ep-5, 0x1.af286bca1af28p-5, 0x1.8618618618618p-5, 0x1.642c8590b2164p-5,
    };

    /** (-1)^k / (2k+1)! for k = 0..10: sin(x) = x sum_k c_k x^(2k) on [0, pi/2). */
    static final double[] SIN_COEF = {
        0x1.0000000000000p0, -0x1.5555555555555p-3, 0x1.1111111111111p-7, -0x1.a01a01a01a01ap-13,
        0x1.71de3a556c734p-19, -0x1.ae64567f544e4p-26, 0x1.6124613a86d09p-33, -0x1.ae7f3e733b81fp-41,
        0x1.952c77030ad4ap-49, -0x1.2f49b46814157p-57, 0x1.71b8ef6dcf572p-66,
    };

    /** (-1)^k / (2k)! for k = 0..11: cos(x) = sum_k c_k x^(2k) on [0, pi/2). */
    static final double[] COS_COEF = {
        0x1.0000000000000p0, -0x1.0000000000000p-1, 0x1.5555555555555p-5, -0x1.6c16c16c16c17p-10,
        0x1.a01a01a01a01ap-16, -0x1.27e4fb7789f5cp-22, 0x1.1eed8eff8d898p-29, -0x1.93974a8c07c9dp-37,
        0x1.ae7f3e733b81fp-45, -0x1.6827863b97d97p-53, 0x1.e542ba4020225p-62, -0x1.0ce396db7f853p-70,
    };

    /** Natural log of u in (0, 1], normal doubles only. */
    static double ln(double u) {
        long bits = Double.doubleToRawLongBits(u);
        int e = (int) ((bits >>> 52) & 0x7ff) - 1023;
        double m = Double.longBitsToDouble((bits & 0x000fffffffffffffL) | 0x3ff0000000000000L);
        if (m > SQRT2) {
            m = m * 0.5;
            e += 1;
        }
        double s = (m - 1.0) / (m + 1.0);
        double z = s * s;
        double p = LN_COEF[LN_COEF.length - 1];
        for (int k = LN_COEF.length - 2; k >= 0; k--) {
            p = Math.fma(p, z, LN_COEF[k]);
        }
        double lnm = (2.0 * s) * p;
        return Math.fma(e, LN2, lnm);
    }

    /**
     * cos and sin of 2 pi b / 2^32 for an unsigned 32-bit b: the top two bits pick the quadrant, the
     * rest is an exact fraction of it; out[0] = cos, out[1] = sin.
     */
    static void cosSinTurn(int b, double[] out) {
        int q = b >>> 30;
        double phi = ((b & 0x3fffffff) * TWO_POW_M30) * HALF_PI;
        double z = phi * phi;
        double ps = SIN_COEF[SIN_COEF.length - 1];
        for (int k = SIN_COEF.length - 2; k >= 0; k--) {
            ps = Math.fma(ps, z, SIN_COEF[k]);
        }
        double s = phi * ps;
        double c = COS_COEF[COS_COEF.length - 1];
        for (int k = COS_COEF.length - 2; k >= 0; k--) {
            c = Math.fma(c, z, COS_COEF[k]);
        }
        switch (q) {
            case 0 -> { out[0] = c; out[1] = s; }
            case 1 -> { out[0] = -s; out[1] = c; }
            case 2 -> { out[0] = -c; out[1] = -s; }
            default -> { out[0] = s; out[1] = -c; }
        }
    }

    /** Element i of the stream (seed, offset). Convenient but slow; use {@link #fill} for arrays. */
    public static float sample(long seed, long offset, long i) {
        float[] four = new float[4];
        block(seed, offset, i >>> 2, four);
        return four[(int) (i & 3)];
    }

    /** The four samples of block g (elements 4g .. 4g+3) into out[0..3]. */
    public static void block(long seed, long offset, long g, float[] out) {
        int[] u = new int[4];
        Philox.block((int) g, (int) (g >>> 32), (int) offset, (int) (offset >>> 32), (int) seed, (int) (seed >>> 32), u);
        double[] cs = new double[2];
        for (int p = 0; p < 2; p++) {
            double uu = ((u[2 * p] & 0xffffffffL) + 0.5) * TWO_POW_M32;
            double r = Math.sqrt(-2.0 * ln(uu));
            cosSinTurn(u[2 * p + 1], cs);
            out[2 * p] = (float) (r * cs[0]);
            out[2 * p + 1] = (float) (r * cs[1]);
        }
    }

    /** Fills dst[dstOff .. dstOff+len) with elements [first, first+len) of the stream. */
    public static void fill(long seed, long offset, long first, float[] dst, int dstOff, int len) {
        float[] four = new float[4];
        long i = first;
        int o = dstOff;
        int end = dstOff + len;
        while (o < end) {
            long g = i >>> 2;
            int lane = (int) (i & 3);
            block(seed, offset, g, four);
            while (lane < 4 && o < end) {
                dst[o++] = four[lane++];
                i++;
            }
        }
    }
}
