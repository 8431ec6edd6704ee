package dev.surf.models.wan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.safetensors.SafetensorsFile;
import dev.surf.core.testing.Fixtures;
import dev.surf.core.testing.Numerics;
import dev.surf.models.weights.RandomWeights;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The differentiable DiT forward beyond the fixture: the same bits for any thread count, and the
 * windowed (Refiner) variant, which no torch fixture covers, against its inference forward and
 * against a central difference of the loss along a random direction of x.
 */
class WanTrainForwardTest {

    private static Map<String, float[]> gradients(int threads) throws Exception {
        try (CpuBackend be = new CpuBackend(threads);
             WanModel m = WanCheckpoint.load(Fixtures.path("wan-dit-grad.safetensors"), Fixtures.path("wan-dit-grad.json"), be);
             SafetensorsFile cases = SafetensorsFile.open(Fixtures.path("wan-dit-grad-cases.safetensors"));
             Tensor x = cases.read(be, "a.x"); Tensor ctx = cases.read(be, "a.context"); Tensor target = cases.read(be, "a.target");
             WanTrainForward.Gradients g = new WanTrainForward(m).mseGradients(x, 700f, ctx, target)) {
            Map<String, float[]> out = new java.util.TreeMap<>();
            out.put("x", be.toFloats(g.x()));
            out.put("context", be.toFloats(g.context()));
            g.parameters().forEach((k, v) -> out.put(k, be.toFloats(v)));
            return out;
        }
    }

    @Test
    void gradientsAreTheSameBitsForOneAndThreeThreads() throws Exception {
        Map<String, float[]> one = gradients(1);
        Map<String, float[]> three = gradients(3);
        assertEquals(one.keySet(), three.keySet());
        for (String k : one.keySet()) {
            assertArrayEquals(one.get(k), three.get(k), k);
        }
    }

    /** mean((out - target)^2) in double from the inference forward. */
    private static double loss(CpuBackend be, WanModel m, Tensor x, Tensor ctx, float[] target) {
        try (TextContext text = m.prepareText(List.of(ctx)); Tensor out = m.forward(x, new float[] {300f}, text)) {
            float[] o = be.toFloats(out);
            double s = 0;
            for (int i = 0; i < o.length; i++) {
                s += ((double) o[i] - target[i]) * ((double) o[i] - target[i]);
            }
            return s / o.length;
        }
    }

    @Test
    void windowedModelMatchesItsInferenceForwardAndADirectionalDerivative() throws Exception {
        WanConfig c = WanConfig.fromJson(Fixtures.path("wan-dit-grad.json"));
        Shape xs = Shape.of(16, 3, 4, 4);
        try (CpuBackend be = new CpuBackend(2); WanModel m = WanModel.load(new RandomWeights(5), be, c, 2);
             Tensor x = be.empty(DType.F32, xs); Tensor dir = be.empty(DType.F32, xs); Tensor target = be.empty(DType.F32, xs);
             Tensor ctx = be.empty(DType.F32, Shape.of(7, c.textDim()))) {
            be.fillNormal(x, 1, 0);
            be.fillNormal(dir, 2, 0);
            be.fillNormal(target, 3, 0);
            be.fillNormal(ctx, 4, 0);
            float[] t = be.toFloats(target);
            try (TextContext text = m.prepareText(List.of(ctx)); Tensor inference = m.forward(x, new float[] {300f}, text);
                 WanTrainForward.Gradients g = new WanTrainForward(m).mseGradients(x, 300f, ctx, target)) {
                Numerics.assertClose("windowed: training forward vs inference forward", be.toFloats(g.out()),
                        be.toFloats(inference), 1e-6);
                // central difference along dir; h = 1e-2: truncation ~h^2, F32 noise of the loss ~1e-7 / h
                float h = 1e-2f;
                double analytic = 0;
                float[] gx = be.toFloats(g.x());
                float[] dv = be.toFloats(dir);
                for (int i = 0; i < gx.length; i++) {
                    analytic += (double) gx[i] * dv[i];
                }
                try (Tensor up = be.combine(new float[] {1f, h}, x, dir); Tensor down = be.combine(new float[] {1f, -h}, x, dir)) {
                    double fd = (loss(be, m, up, ctx, t) - loss(be, m, down, ctx, t)) / (2 * h);
                    double rel = Math.abs(fd - analytic) / Math.abs(fd);
                    System.out.printf("windowed DiT: <grad.x, v> %.6g, central difference %.6g, rel. %.2e%n", analytic, fd, rel);
                    assertTrue(rel < 1e-3, "directional derivative: analytic " + analytic + ", central difference " + fd);
                }
            }
        }
    }
}
