package dev.surf.models.wan;

/**
 * The sinusoidal timestep features of Wan (spec/wan21.md §2.3 step 3): for {@code k < half},
 * w_k = 10000^(-k/half), a_k = t w_k, features [cos(a_0..), sin(a_0..)], cos first, computed in
 * double and rounded to F32 once (the official code uses float64 here; F32 raises the error of e
 * about 15x at t = 937.5).
 */
public final class TimestepEmbedding {
    private TimestepEmbedding() {
    }

    /** Features [dim] for timestep t. */
    public static float[] sinusoid(int dim, double t) {
        int half = dim / 2;
        float[] out = new float[dim];
        for (int k = 0; k < half; k++) {
            double w = Math.pow(10000.0, -(double) k / half);
            double a = t * w;
            out[k] = (float) Math.cos(a);
            out[half + k] = (float) Math.sin(a);
        }
        return out;
    }
}
