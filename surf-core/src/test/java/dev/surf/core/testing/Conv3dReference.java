package dev.surf.core.testing;

/** The scalar double definition of conv3d, the reference of every conv3d implementation's tests. */
public final class Conv3dReference {
    private Conv3dReference() {
    }

    /**
     * The definition in Backend#conv3d, in double: x [cin, t, h, w], wt [cout, cin, kt, kh, kw], bias [cout]
     * or null, padding (pf frames in front, ph, pw on both sides); returns [cout, To, Ho, Wo].
     */
    public static double[] conv3d(float[] x, int cin, int t, int h, int w, float[] wt, int cout, int kt, int kh, int kw,
            float[] bias, int pf, int ph, int pw) {
        return conv3d(FiniteDifferences.toDouble(x), cin, t, h, w, FiniteDifferences.toDouble(wt), cout, kt, kh, kw,
                bias == null ? null : FiniteDifferences.toDouble(bias), pf, ph, pw);
    }

    /** The same definition on double operands (what finite differences of conv3d need). */
    public static double[] conv3d(double[] x, int cin, int t, int h, int w, double[] wt, int cout, int kt, int kh, int kw,
            double[] bias, int pf, int ph, int pw) {
        int to = t + pf - kt + 1;
        int ho = h + 2 * ph - kh + 1;
        int wo = w + 2 * pw - kw + 1;
        double[] out = new double[cout * to * ho * wo];
        for (int o = 0; o < cout; o++) {
            for (int tt = 0; tt < to; tt++) {
                for (int y = 0; y < ho; y++) {
                    for (int xx = 0; xx < wo; xx++) {
                        double s = bias == null ? 0 : bias[o];
                        for (int c = 0; c < cin; c++) {
                            for (int i = 0; i < kt; i++) {
                                for (int j = 0; j < kh; j++) {
                                    for (int k = 0; k < kw; k++) {
                                        int ti = tt + i - pf;
                                        int yi = y + j - ph;
                                        int xi = xx + k - pw;
                                        if (ti < 0 || ti >= t || yi < 0 || yi >= h || xi < 0 || xi >= w) {
                                            continue;
                                        }
                                        s += wt[(((o * cin + c) * kt + i) * kh + j) * kw + k]
                                                * x[((c * t + ti) * h + yi) * w + xi];
                                    }
                                }
                            }
                        }
                        out[((o * to + tt) * ho + y) * wo + xx] = s;
                    }
                }
            }
        }
        return out;
    }
}
