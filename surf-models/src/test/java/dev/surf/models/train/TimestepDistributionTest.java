package dev.surf.models.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The Refiner's shifted-uniform flow times against their analytic moments; the logit-normal draw as before. */
class TimestepDistributionTest {
    private static final int N = 40_000;

    /** E[s] for s = k q / (1 + (k - 1) q), q uniform: (k / a) (1 - ln(1 + a) / a) with a = k - 1 (1/2 for k = 1). */
    private static double analyticMean(double k) {
        double a = k - 1;
        return a == 0 ? 0.5 : k / a * (1 - Math.log1p(a) / a);
    }

    @Test
    void shiftedUniformHasTheAnalyticMeanAndStaysInTheOpenInterval() {
        for (double k : new double[] {1, 3, 0.5}) {
            TimestepDistribution d = TimestepDistribution.shiftedUniform(k);
            double sum = 0;
            for (long u = 0; u < N; u++) {
                double s = d.sample(5, u);
                assertTrue(s > 0 && s < 1, "s = " + s);
                sum += s;
            }
            // the standard error of the mean is below 0.3 / sqrt(N) = 0.0015; 0.006 is four of them
            assertEquals(analyticMean(k), sum / N, 0.006, "shift " + k);
        }
    }

    @Test
    void uniformHasTheUniformVariance() {
        TimestepDistribution d = TimestepDistribution.shiftedUniform(1);
        double sum = 0;
        double sq = 0;
        for (long u = 0; u < N; u++) {
            double s = d.sample(9, u);
            sum += s;
            sq += s * s;
        }
        double mean = sum / N;
        assertEquals(1.0 / 12, sq / N - mean * mean, 0.002);
    }

    @Test
    void drawsArePureFunctionsOfSeedAndCounterAndSeedsDiffer() {
        TimestepDistribution d = TimestepDistribution.shiftedUniform(2);
        assertEquals(d.sample(1, 17), d.sample(1, 17));
        assertTrue(d.sample(1, 17) != d.sample(2, 17));
        assertTrue(d.sample(1, 17) != d.sample(1, 18));
    }

    @Test
    void logitNormalIsTheLogisticOfThePhiloxNormal() {
        double n = dev.surf.core.PhiloxNormal.sample(12, 2 * 3 + 1, 0);
        assertEquals((float) (1 / (1 + Math.exp(-n))), TimestepDistribution.LOGIT_NORMAL.sample(12, 3), 0);
    }

    @Test
    void aBadShiftIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> TimestepDistribution.shiftedUniform(0));
        assertThrows(IllegalArgumentException.class, () -> TimestepDistribution.shiftedUniform(Double.NaN));
    }
}
