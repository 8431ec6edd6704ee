package dev.surf.models.refiner.train;

import java.util.SplittableRandom;

/**
 * Exact Poisson variates (no normal approximation, which is wrong in the dark pixels where the mean
 * count is small): Knuth's product-of-uniforms method below a mean of 10, Hörmann's transformed
 * rejection with squeeze (PTRS, "The transformed rejection method for generating Poisson random
 * variables", Insurance: Mathematics and Economics 12, 1993) from 10 up, the split numpy also uses.
 */
final class PoissonSampler {
    /** Below this mean Knuth's loop is short (about mean + 1 uniforms) and exp(-mean) is far from underflow. */
    static final double PTRS_FROM = 10;

    private static final int LOG_FACTORIAL_TABLE = 1024;
    private static final double[] LOG_FACTORIAL = new double[LOG_FACTORIAL_TABLE];

    static {
        for (int k = 1; k < LOG_FACTORIAL_TABLE; k++) {
            LOG_FACTORIAL[k] = LOG_FACTORIAL[k - 1] + Math.log(k);
        }
    }

    private PoissonSampler() {
    }

    /** One draw of Poisson({@code mean}); {@code mean} must be finite and non-negative. */
    static long sample(double mean, SplittableRandom rng) {
        if (!(mean >= 0) || Double.isInfinite(mean)) {
            throw new IllegalArgumentException("poisson mean must be finite and >= 0, got " + mean);
        }
        if (mean == 0) {
            return 0;
        }
        return mean < PTRS_FROM ? knuth(mean, rng) : ptrs(mean, rng);
    }

    private static long knuth(double mean, SplittableRandom rng) {
        double limit = Math.exp(-mean);
        long k = 0;
        double p = rng.nextDouble();
        while (p > limit) {
            k++;
            p *= rng.nextDouble();
        }
        return k;
    }

    private static long ptrs(double mean, SplittableRandom rng) {
        double sqrtMean = Math.sqrt(mean);
        double logMean = Math.log(mean);
        double b = 0.931 + 2.53 * sqrtMean;
        double a = -0.059 + 0.02483 * b;
        double invAlpha = 1.1239 + 1.1328 / (b - 3.4);
        double vr = 0.9277 - 3.6224 / (b - 2);
        while (true) {
            double u = rng.nextDouble() - 0.5;
            double v = rng.nextDouble();
            double us = 0.5 - Math.abs(u);
            long k = (long) Math.floor((2 * a / us + b) * u + mean + 0.43);
            if (us >= 0.07 && v <= vr) {
                return k; // the squeeze: inside the region where the hat is below the mass
            }
            if (k < 0 || (us < 0.013 && v > us)) {
                continue;
            }
            if (Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <= -mean + k * logMean - logFactorial(k)) {
                return k;
            }
        }
    }

    /** ln(k!): summed logs below 1024, Stirling's series (error below 1e-15 relative there) above. */
    static double logFactorial(long k) {
        if (k < LOG_FACTORIAL_TABLE) {
            return LOG_FACTORIAL[(int) k];
        }
        double n = k;
        return n * Math.log(n) - n + 0.5 * Math.log(2 * Math.PI * n) + 1 / (12 * n) - 1 / (360 * n * n * n);
    }
}
