package dev.surf.models.sched;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.testing.Numerics;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** CFG and the x0-estimate against double-precision host references. */
class GuidanceAndFlowMatchTest {
    private static final Shape SHAPE = Shape.of(4, 33);
    private static CpuBackend be;

    @BeforeAll
    static void start() {
        be = new CpuBackend(2);
    }

    @AfterAll
    static void stop() {
        be.close();
    }

    @Test
    void cfgIsUncondPlusScaledDifference() {
        SplittableRandom rnd = new SplittableRandom(11);
        float[] u = Numerics.uniform(rnd, (int) SHAPE.numel(), 3.0);
        float[] c = Numerics.uniform(rnd, (int) SHAPE.numel(), 3.0);
        float g = 5f;
        double[] ref = new double[u.length];
        for (int i = 0; i < u.length; i++) {
            ref[i] = u[i] + (double) g * ((double) c[i] - u[i]);
        }
        try (Tensor ut = be.fromFloats(u, SHAPE); Tensor ct = be.fromFloats(c, SHAPE);
                Tensor out = Guidance.cfg(be, ut, ct, g); Tensor none = Guidance.cfg(be, ut, ct, 0f)) {
            Numerics.assertClose("cfg", be.toFloats(out), ref, 2e-7);
            assertArrayEquals(u, be.toFloats(none), 0f); // g = 0 is exactly the unconditional prediction
        }
    }

    @Test
    void x0IsSampleMinusSigmaVelocity() {
        SplittableRandom rnd = new SplittableRandom(12);
        float[] x = Numerics.uniform(rnd, (int) SHAPE.numel(), 3.0);
        float[] v = Numerics.uniform(rnd, (int) SHAPE.numel(), 3.0);
        float sigma = 0.7f;
        double[] ref = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            ref[i] = x[i] - (double) sigma * v[i];
        }
        try (Tensor xt = be.fromFloats(x, SHAPE); Tensor vt = be.fromFloats(v, SHAPE);
                Tensor m = FlowMatch.x0(be, xt, vt, sigma)) {
            float[] got = be.toFloats(m);
            for (int i = 0; i < x.length; i++) {
                assertEquals((float) ref[i], got[i], Math.ulp((float) ref[i]), "element " + i);
            }
        }
    }
}
