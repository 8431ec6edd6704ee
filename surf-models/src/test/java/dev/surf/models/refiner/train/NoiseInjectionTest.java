package dev.surf.models.refiner.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NoiseInjectionTest {
    private static final int H = 128;
    private static final int W = 128;

    private static RgbFrame constant(float v) {
        float[] d = new float[3 * H * W];
        Arrays.fill(d, v);
        return new RgbFrame(d, H, W);
    }

    private static double[] meanVar(float[] d, int from, int to, double center) {
        double s = 0;
        double s2 = 0;
        for (int i = from; i < to; i++) {
            s += d[i] - center;
        }
        double mean = s / (to - from);
        for (int i = from; i < to; i++) {
            double e = d[i] - center - mean;
            s2 += e * e;
        }
        return new double[] {mean, s2 / (to - from - 1)};
    }

    @Test
    void gaussianNoiseHasTheRequestedStdAndZeroMean() {
        double sigma = 20 / 255.0;
        for (boolean gray : new boolean[] {false, true}) {
            RgbFrame out = NoiseInjection.gaussian(constant(0.5f), sigma, gray, new SplittableRandom(11));
            int n = H * W;
            for (int c = 0; c < 3; c++) {
                double[] mv = meanVar(out.data(), c * n, (c + 1) * n, 0.5);
                // 5 standard errors of the sample mean and of the sample std (sigma / sqrt(2n)) of a normal
                assertEquals(0, mv[0], 5 * sigma / Math.sqrt(n), "mean, gray=" + gray);
                assertEquals(sigma, Math.sqrt(mv[1]), 5 * sigma / Math.sqrt(2.0 * n), "std, gray=" + gray);
            }
            float[] d = out.data();
            boolean shared = true;
            for (int p = 0; p < n; p++) {
                shared &= d[p] == d[n + p] && d[p] == d[2 * n + p];
            }
            assertEquals(gray, shared, "gray noise is shared by the channels, colour noise is not");
        }
    }

    @Test
    void poissonNoiseKeepsTheMeanAndHasVarianceValueTimesScaleSquaredOverLevels() {
        // 0.02 * 256 = 5.1 photons runs Knuth's sampler, 0.7 * 256 = 179 runs PTRS
        for (float v : new float[] {0.02f, 0.7f}) {
            double scale = 1.7;
            RgbFrame out = NoiseInjection.poisson(constant(v), scale, false, new SplittableRandom(5));
            int n = out.data().length;
            double lambda = v * NoiseInjection.LEVELS;
            double unit = scale / NoiseInjection.LEVELS;
            double var = lambda * unit * unit;
            double[] mv = meanVar(out.data(), 0, n, v);
            assertEquals(0, mv[0], 5 * Math.sqrt(var / n), "mean at " + v);
            // Var of the sample variance: (mu4 - sigma^4) / n, Poisson mu4 = lambda + 3 lambda^2 counts^4
            double varOfVar = (lambda + 2 * lambda * lambda) * Math.pow(unit, 4) / n;
            assertEquals(var, mv[1], 5 * Math.sqrt(varOfVar), "variance at " + v);
        }
    }

    @Test
    void grayPoissonNoiseFollowsTheLumaAndIsShared() {
        int n = H * W;
        float[] d = new float[3 * n];
        Arrays.fill(d, 0, n, 0.9f);
        Arrays.fill(d, n, 2 * n, 0.1f);
        Arrays.fill(d, 2 * n, 3 * n, 0.4f);
        double luma = 0.299 * 0.9f + 0.587 * 0.1f + 0.114 * 0.4f;
        double scale = 2.0;
        float[] out = NoiseInjection.poisson(new RgbFrame(d, H, W), scale, true, new SplittableRandom(8)).data();
        float[] noise = new float[n];
        for (int p = 0; p < n; p++) {
            noise[p] = out[p] - 0.9f;
            assertEquals(noise[p], out[n + p] - 0.1f, 1e-6, "green shares red's noise");
            assertEquals(noise[p], out[2 * n + p] - 0.4f, 1e-6, "blue shares red's noise");
        }
        double lambda = luma * NoiseInjection.LEVELS;
        double unit = scale / NoiseInjection.LEVELS;
        double[] mv = meanVar(noise, 0, n, 0);
        double varOfVar = (lambda + 2 * lambda * lambda) * Math.pow(unit, 4) / n;
        assertEquals(lambda * unit * unit, mv[1], 5 * Math.sqrt(varOfVar) + 1e-9);
    }

    @Test
    void poissonSamplerFollowsThePoissonMassFunctionOnBothBranches() {
        int draws = 100_000;
        for (double lambda : new double[] {0.3, 4, 9.5, 10, 33, 250}) {
            SplittableRandom rng = new SplittableRandom((long) (lambda * 1000));
            int top = (int) (lambda + 12 * Math.sqrt(lambda) + 12);
            long[] count = new long[top + 1];
            for (int i = 0; i < draws; i++) {
                long k = PoissonSampler.sample(lambda, rng);
                assertTrue(k >= 0, "negative draw");
                count[(int) Math.min(k, top)]++;
            }
            for (int k = 0; k < top; k++) {
                double pmf = Math.exp(-lambda + k * Math.log(lambda) - logFactorialByLoop(k));
                double freq = (double) count[k] / draws;
                double bound = 5 * Math.sqrt(pmf * (1 - pmf) / draws) + 1e-5;
                assertEquals(pmf, freq, bound, "P(X = " + k + ") at lambda " + lambda);
            }
        }
    }

    private static double logFactorialByLoop(long k) {
        double s = 0;
        for (long i = 2; i <= k; i++) {
            s += Math.log(i);
        }
        return s;
    }

    @Test
    void logFactorialMatchesTheSumOfLogsOnTableAndStirlingRanges() {
        for (long k : new long[] {0, 1, 2, 10, 1023, 1024, 1025, 5000}) {
            double want = logFactorialByLoop(k);
            assertEquals(want, PoissonSampler.logFactorial(k), 1e-12 * Math.max(1, want), "ln " + k + "!");
        }
    }
}
