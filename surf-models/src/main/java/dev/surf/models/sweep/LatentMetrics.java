package dev.surf.models.sweep;

/** Similarity of two latents of one shape: how well a preview keeps the baseline's signature. */
public final class LatentMetrics {
    private LatentMetrics() {
    }

    /** Cosine similarity of the flattened latents, in double. */
    public static double cosine(float[] a, float[] b) {
        check(a, b);
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += (double) a[i] * b[i];
            aa += (double) a[i] * a[i];
            bb += (double) b[i] * b[i];
        }
        return ab / Math.sqrt(aa * bb);
    }

    /**
     * PSNR in dB of a against the reference, with the reference's dynamic range (max - min) as the
     * peak: latents have no fixed pixel range. +infinity when they are equal.
     */
    public static double psnr(float[] a, float[] reference) {
        check(a, reference);
        double mse = 0;
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - reference[i];
            mse += d * d;
            lo = Math.min(lo, reference[i]);
            hi = Math.max(hi, reference[i]);
        }
        mse /= a.length;
        double peak = hi - lo;
        return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(peak * peak / mse);
    }

    private static void check(float[] a, float[] b) {
        if (a.length != b.length || a.length == 0) {
            throw new IllegalArgumentException("latents of " + a.length + " and " + b.length + " values cannot be compared");
        }
    }
}
