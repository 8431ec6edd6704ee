package dev.surf.core.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.safetensors.SafetensorsFile;
import dev.surf.core.testing.Fixtures;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link AdamW} against torch.optim.AdamW (conformance/adamw.safetensors) and a double-precision model. */
class AdamWTest {
    private static CpuBackend cpu;

    @BeforeAll
    static void start() {
        cpu = new CpuBackend(1);
    }

    @AfterAll
    static void stop() {
        cpu.close();
    }

    private static float[] floats(SafetensorsFile f, String name) throws Exception {
        try (Tensor t = f.read(cpu, name)) {
            return cpu.toFloats(t);
        }
    }

    @Test
    void everyStepMatchesTorchWithin1e6() throws Exception {
        try (SafetensorsFile f = SafetensorsFile.open(Fixtures.path("adamw.safetensors"))) {
            Map<String, String> meta = f.metadata();
            AdamW.Config cfg = new AdamW.Config(Double.parseDouble(meta.get("lr")),
                    Double.parseDouble(meta.get("beta1")), Double.parseDouble(meta.get("beta2")),
                    Double.parseDouble(meta.get("eps")), Double.parseDouble(meta.get("weight_decay")));
            int steps = Integer.parseInt(meta.get("steps"));
            String[] names = {"p0", "p1"};
            try (ParameterSet ps = new ParameterSet()) {
                for (String n : names) {
                    ps.add(Parameter.trainable(n, f.read(cpu, n + ".init")));
                }
                // A frozen parameter must be left alone and must not disturb the others.
                ps.add(Parameter.frozen("frozen", cpu.fromFloats(new float[] {1f, -2f}, Shape.of(2))));
                try (AdamW adam = new AdamW(cfg, ps)) {
                    for (int s = 1; s <= steps; s++) {
                        for (String n : names) {
                            HostArrays.store(floats(f, n + ".grad" + s), ps.get(n).grad());
                        }
                        adam.step();
                        assertEquals(s, adam.stepCount());
                        for (String n : names) {
                            float[] want = floats(f, n + ".after" + s);
                            float[] got = cpu.toFloats(ps.get(n).master());
                            double worst = 0;
                            for (int i = 0; i < want.length; i++) {
                                worst = Math.max(worst, Math.abs(got[i] - want[i]));
                            }
                            assertTrue(worst <= 1e-6, n + " step " + s + ": max |diff| " + worst);
                        }
                    }
                }
                float[] frozen = cpu.toFloats(ps.get("frozen").master());
                assertEquals(1f, frozen[0]);
                assertEquals(-2f, frozen[1]);
            }
        }
    }

    /** The update written out in double from the paper's formula, with a changing learning rate. */
    @Test
    void matchesDoublePrecisionFormula() {
        AdamW.Config cfg = new AdamW.Config(3e-3, 0.8, 0.95, 1e-6, 0.1);
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(7);
        int n = 257;
        float[] w0 = new float[n];
        for (int i = 0; i < n; i++) {
            w0[i] = (float) rnd.nextDouble(-1, 1);
        }
        double[] w = new double[n];
        double[] m = new double[n];
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            w[i] = w0[i];
        }
        try (ParameterSet ps = new ParameterSet()) {
            Parameter p = ps.add(Parameter.trainable("w", cpu.fromFloats(w0, Shape.of(n))));
            try (AdamW adam = new AdamW(cfg, ps)) {
                for (int t = 1; t <= 20; t++) {
                    double lr = cfg.lr() * t / 20;
                    float[] g = new float[n];
                    for (int i = 0; i < n; i++) {
                        g[i] = (float) (rnd.nextDouble(-1, 1) * (i % 3 == 0 ? 1e-4 : 1));
                    }
                    HostArrays.store(g, p.grad());
                    adam.step(lr);
                    for (int i = 0; i < n; i++) {
                        w[i] *= 1 - lr * cfg.weightDecay();
                        m[i] = cfg.beta1() * m[i] + (1 - cfg.beta1()) * g[i];
                        v[i] = cfg.beta2() * v[i] + (1 - cfg.beta2()) * g[i] * g[i];
                        double mh = m[i] / (1 - Math.pow(cfg.beta1(), t));
                        double vh = Math.sqrt(v[i]) / Math.sqrt(1 - Math.pow(cfg.beta2(), t));
                        w[i] -= lr * mh / (vh + cfg.eps());
                    }
                }
                float[] got = cpu.toFloats(p.master());
                float[] gotM = cpu.toFloats(adam.firstMoment("w"));
                for (int i = 0; i < n; i++) {
                    assertEquals(w[i], got[i], 1e-6, "w[" + i + "]");
                    assertEquals(m[i], gotM[i], 1e-6 * Math.max(1, Math.abs(m[i])), "m[" + i + "]");
                }
            }
        }
    }

    @Test
    void rejectsBadHyperParametersAndFrozenState() {
        assertThrows(IllegalArgumentException.class, () -> new AdamW.Config(1e-3, 1.0, 0.999, 1e-8, 0));
        assertThrows(IllegalArgumentException.class, () -> new AdamW.Config(-1, 0.9, 0.999, 1e-8, 0));
        try (ParameterSet ps = new ParameterSet()) {
            ps.add(Parameter.frozen("f", cpu.zeros(DType.F32, Shape.of(3))));
            try (AdamW adam = new AdamW(AdamW.Config.torchDefaults(1e-3), ps)) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> adam.firstMoment("f"));
                assertTrue(e.getMessage().contains("'f'"), e.getMessage());
            }
        }
    }
}
