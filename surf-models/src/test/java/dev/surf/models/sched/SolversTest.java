package dev.surf.models.sched;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.testing.Numerics;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Solver behaviour against closed-form answers (spec/wan21.md §3.1 and §3.5). */
class SolversTest {
    private static final Shape SHAPE = Shape.of(3, 5, 7);
    private static final int N = 105;
    private static CpuBackend be;

    @BeforeAll
    static void start() {
        be = new CpuBackend(2);
    }

    @AfterAll
    static void stop() {
        be.close();
    }

    /**
     * The exact velocity of the straight flow towards one data point: {@code v(x, sigma) = (x - x0) / sigma}.
     * Along {@code x = (1 - sigma) x0 + sigma eps} it is the constant {@code eps - x0}, and every x0-estimate is x0.
     */
    private static float[] pointField(float[] x, float[] x0, float sigma) {
        float[] v = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            v[i] = (float) (((double) x[i] - x0[i]) / sigma);
        }
        return v;
    }

    /** Runs a solver from x over its whole schedule with the point field; returns every x_{i+1}. */
    private static float[][] run(Solver solver, float[] xInit, float[] x0) {
        FlowSchedule s = solver.schedule();
        float[][] out = new float[s.steps()][];
        Tensor x = be.fromFloats(xInit, SHAPE);
        for (int i = 0; i < s.steps(); i++) {
            Tensor next;
            try (Tensor v = be.fromFloats(pointField(be.toFloats(x), x0, s.solverSigma(i)), SHAPE)) {
                next = solver.step(be, i, x, v);
            }
            x.close();
            x = next;
            out[i] = be.toFloats(x);
        }
        x.close();
        return out;
    }

    /** The analytic sample at sigma: (1 - sigma/sigma0) x0 + (sigma/sigma0) xInit. */
    private static double[] onPath(float[] xInit, float[] x0, double sigma, double sigma0) {
        double[] out = new double[x0.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = x0[i] + (sigma / sigma0) * ((double) xInit[i] - x0[i]);
        }
        return out;
    }

    @Test
    void eulerFollowsTheStraightPathAndReachesTheDataPoint() {
        SplittableRandom rnd = new SplittableRandom(1);
        float[] x0 = Numerics.uniform(rnd, N, 1.0);
        float[] eps = Numerics.uniform(rnd, N, 2.0);
        FlowSchedule s = FlowSchedule.euler(12, 5.0); // sigma_0 = 1: the start is pure noise
        float[][] xs = run(new EulerSolver(s), eps, x0);
        for (int i = 0; i < s.steps(); i++) {
            Numerics.assertClose("euler step " + i, xs[i], onPath(eps, x0, s.solverSigma(i + 1), 1.0), 1e-6);
        }
        Numerics.assertClose("euler final", xs[s.steps() - 1], onPath(eps, x0, 0, 1.0), 1e-6);
    }

    @Test
    void uniPcFollowsTheStraightPathAndReachesTheDataPoint() {
        // with every x0-estimate equal to x0 the history differences vanish and each UniP step is exact
        SplittableRandom rnd = new SplittableRandom(2);
        float[] x0 = Numerics.uniform(rnd, N, 1.0);
        float[] xInit = Numerics.uniform(rnd, N, 2.0);
        FlowSchedule s = FlowSchedule.unipc(9, 3.0);
        float[][] xs = run(new FlowUniPcSolver(s), xInit, x0);
        double sigma0 = s.solverSigma(0);
        for (int i = 0; i < s.steps(); i++) {
            Numerics.assertClose("unipc step " + i, xs[i], onPath(xInit, x0, s.solverSigma(i + 1), sigma0), 2e-6);
        }
    }

    @Test
    void firstUniPcStepIsTheEulerStep() {
        SplittableRandom rnd = new SplittableRandom(3);
        float[] x = Numerics.uniform(rnd, N, 2.0);
        FlowSchedule s = FlowSchedule.unipc(20, 5.0);
        float[] v = ToyField.velocity(x, s.solverSigma(0));
        double dt = (double) s.solverSigma(1) - s.solverSigma(0);
        double[] euler = new double[N];
        for (int i = 0; i < N; i++) {
            euler[i] = x[i] + dt * v[i];
        }
        try (FlowUniPcSolver solver = new FlowUniPcSolver(s);
                Tensor xt = be.fromFloats(x, SHAPE); Tensor vt = be.fromFloats(v, SHAPE);
                Tensor out = solver.step(be, 0, xt, vt)) {
            Numerics.assertClose("unipc step 0 vs euler", be.toFloats(out), euler, 1e-6);
        }
    }

    @Test
    void orderScheduleIsOneTwoTwoOne() {
        assertArrayEquals(new int[] {1}, orders(1));
        assertArrayEquals(new int[] {1, 1}, orders(2));
        assertArrayEquals(new int[] {1, 2, 1}, orders(3));
        assertArrayEquals(new int[] {1, 2, 2, 2, 2, 1}, orders(6));
    }

    private static int[] orders(int n) {
        int[] o = new int[n];
        for (int i = 0; i < n; i++) {
            o[i] = FlowUniPcSolver.order(i, n);
        }
        return o;
    }

    @Test
    void finalUniPcOutputIsTheLastX0Estimate() {
        SplittableRandom rnd = new SplittableRandom(4);
        FlowSchedule s = FlowSchedule.unipc(7, 5.0);
        try (FlowUniPcSolver solver = new FlowUniPcSolver(s)) {
            Tensor x = be.fromFloats(Numerics.uniform(rnd, N, 2.0), SHAPE);
            for (int i = 0; i < s.steps(); i++) {
                float[] xh = be.toFloats(x);
                float sigma = s.solverSigma(i);
                float[] v = ToyField.velocity(xh, sigma);
                Tensor next;
                try (Tensor vt = be.fromFloats(v, SHAPE)) {
                    next = solver.step(be, i, x, vt);
                }
                x.close();
                x = next;
                if (i == s.steps() - 1) {
                    // m_{N-1} = x_{N-1} - sigma v, one rounding (Backend.combine is specified as fused multiply-adds)
                    float[] m = new float[N];
                    for (int k = 0; k < N; k++) {
                        m[k] = Math.fma(-sigma, v[k], xh[k]);
                    }
                    assertArrayEquals(m, be.toFloats(x), 0f);
                }
            }
            x.close();
        }
    }

    @Test
    void singleStepUniPcGivesTheX0Estimate() {
        SplittableRandom rnd = new SplittableRandom(5);
        float[] x = Numerics.uniform(rnd, N, 2.0);
        FlowSchedule s = FlowSchedule.unipc(1, 5.0);
        float[] v = ToyField.velocity(x, s.solverSigma(0));
        double[] m = new double[N];
        for (int i = 0; i < N; i++) {
            m[i] = x[i] - (double) s.solverSigma(0) * v[i];
        }
        try (FlowUniPcSolver solver = new FlowUniPcSolver(s);
                Tensor xt = be.fromFloats(x, SHAPE); Tensor vt = be.fromFloats(v, SHAPE);
                Tensor out = solver.step(be, 0, xt, vt)) {
            Numerics.assertClose("N = 1", be.toFloats(out), m, 1e-7);
        }
    }

    @Test
    void uniPcStepsMustComeInOrder() {
        FlowSchedule s = FlowSchedule.unipc(5, 5.0);
        try (FlowUniPcSolver solver = new FlowUniPcSolver(s);
                Tensor x = be.zeros(DType.F32, SHAPE); Tensor v = be.zeros(DType.F32, SHAPE)) {
            solver.step(be, 0, x, v).close();
            assertThrows(IllegalStateException.class, () -> solver.step(be, 2, x, v));
            assertThrows(IllegalArgumentException.class, () -> solver.step(be, 5, x, v));
            // step 0 restarts a trajectory at any time
            solver.step(be, 0, x, v).close();
            try (Tensor b = solver.step(be, 1, x, v)) {
                assertEquals(SHAPE, b.shape());
            }
        }
    }

    @Test
    void eulerStepUsesTheFloat32SigmaDifference() {
        SplittableRandom rnd = new SplittableRandom(6);
        float[] x = Numerics.uniform(rnd, N, 2.0);
        float[] v = Numerics.uniform(rnd, N, 2.0);
        FlowSchedule s = FlowSchedule.euler(4, 8.0);
        float dt = s.solverSigma(2) - s.solverSigma(1); // 0.8888889f - 0.96f in float32
        try (Tensor xt = be.fromFloats(x, SHAPE); Tensor vt = be.fromFloats(v, SHAPE);
                Tensor out = new EulerSolver(s).step(be, 1, xt, vt)) {
            float[] got = be.toFloats(out);
            for (int i = 0; i < N; i++) {
                assertEquals(Math.fma(dt, v[i], x[i]), got[i], 0f);
            }
        }
    }

    @Test
    void bf16HistoryTermsStayCloseToTheFloat32Form() {
        SplittableRandom rnd = new SplittableRandom(7);
        float[] xInit = Numerics.uniform(rnd, N, 2.0);
        FlowSchedule s = FlowSchedule.unipc(12, 5.0);
        float[][] f32 = toyRun(new FlowUniPcSolver(s, false), xInit);
        float[][] bf16 = toyRun(new FlowUniPcSolver(s, true), xInit);
        // step 0 (order 1, no corrector) has no history term, so it agrees bit for bit
        assertArrayEquals(f32[0], bf16[0], 0f);
        double differs = 0;
        for (int i = 0; i < s.steps(); i++) {
            double e = Numerics.relError(bf16[i], f32[i]);
            assertTrue(e < 1e-3, "step " + i + " bf16 vs f32 " + e);
            differs = Math.max(differs, e);
        }
        assertTrue(differs > 0, "bf16 rounding had no effect");
    }

    private static float[][] toyRun(FlowUniPcSolver solver, float[] xInit) {
        FlowSchedule s = solver.schedule();
        float[][] out = new float[s.steps()][];
        Tensor x = be.fromFloats(xInit, SHAPE);
        for (int i = 0; i < s.steps(); i++) {
            Tensor next;
            try (Tensor v = be.fromFloats(ToyField.velocity(be.toFloats(x), s.solverSigma(i)), SHAPE)) {
                next = solver.step(be, i, x, v);
            }
            x.close();
            x = next;
            out[i] = be.toFloats(x);
        }
        x.close();
        return out;
    }
}
