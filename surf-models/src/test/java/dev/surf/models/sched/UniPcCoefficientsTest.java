package dev.surf.models.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The float32 scalar maths of UniPC against closed forms evaluated in double. */
class UniPcCoefficientsTest {

    private static double lambda(double sigma) {
        return Math.log(1 - sigma) - Math.log(sigma);
    }

    @Test
    void solveMatchesTheClosedFormOnBothPivotBranches() {
        // [[1,1],[r,1]] rho = b  =>  rho1 = (b1 - r b0) / (1 - r), rho0 = b0 - rho1
        for (float r : new float[] {-0.93f, -1.27f, 0.4f, -3.5f}) {
            float b0 = 0.31f;
            float b1 = -0.17f;
            float[] rho = Fp32.solveUniC2(r, b0, b1);
            double rho1 = ((double) b1 - (double) r * b0) / (1 - (double) r);
            double rho0 = b0 - rho1;
            assertEquals(rho0, rho[0], 4 * Math.ulp((float) Math.abs(rho0)) + 1e-9, "rho0 at r=" + r);
            assertEquals(rho1, rho[1], 4 * Math.ulp((float) Math.abs(rho1)) + 1e-9, "rho1 at r=" + r);
        }
    }

    @Test
    void predictorScalarsMatchDoublePrecision() {
        float[] s = FlowSchedule.unipc(10, 5.0).solverSigmas();
        int i = 4;
        UniPcCoefficients.Update u = UniPcCoefficients.predictor(s, i, 2);
        double h = lambda(s[i + 1]) - lambda(s[i]);
        double phi = Math.expm1(-h);
        double alpha = 1 - (double) s[i + 1];
        assertEquals((double) s[i + 1] / s[i], u.sampleCoeff(), 1e-7);
        assertEquals(alpha * phi, u.x0Coeff(), 1e-6);
        assertEquals(alpha * phi, u.alphaB(), 1e-6);
        assertEquals((lambda(s[i - 1]) - lambda(s[i])) / h, u.r(), 1e-5);
        assertEquals(0.5f, u.rho0(), 0f);
    }

    @Test
    void lastPredictorReturnsTheX0Estimate() {
        // sigma_N = 0: lambda = +inf, expm1(-inf) = -1, so x_N = 0 * x + 1 * m
        float[] s = FlowSchedule.unipc(6, 5.0).solverSigmas();
        UniPcCoefficients.Update u = UniPcCoefficients.predictor(s, 5, 1);
        assertEquals(0f, u.sampleCoeff(), 0f);
        assertEquals(-1f, u.x0Coeff(), 0f);
    }

    @Test
    void correctorWeightsSatisfyTheUniCConditions() {
        // b0 = (phi/hh - 1)/B, b1 = 2 (b0 B/hh - 1/2)/B with hh = -h, B = expm1(hh), then solve
        float[] s = FlowSchedule.unipc(10, 5.0).solverSigmas();
        int i = 5;
        UniPcCoefficients.Update u = UniPcCoefficients.corrector(s, i, 2);
        double h = lambda(s[i]) - lambda(s[i - 1]);
        double hh = -h;
        double bh = Math.expm1(hh);
        double g1 = bh / hh - 1;
        double b0 = g1 / bh;
        double b1 = 2 * (g1 / hh - 0.5) / bh;
        double r = (lambda(s[i - 2]) - lambda(s[i - 1])) / h;
        double rho1 = (b1 - r * b0) / (1 - r);
        double rho0 = b0 - rho1;
        assertEquals(r, u.r(), 1e-5);
        // b0 and b1 suffer cancellation in float32 (g1 ~ h/2 for small h), so compare loosely
        assertEquals(rho0, u.rho0(), 2e-3 * Math.abs(rho0) + 1e-4);
        assertEquals(rho1, u.rho1(), 2e-3 * Math.abs(rho1) + 1e-4);
        assertEquals(0.5f, UniPcCoefficients.corrector(s, 1, 1).rho1(), 0f);
    }
}
