package dev.surf.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.surf.core.Activation;
import dev.surf.core.AttentionSpec;
import dev.surf.core.Backend;
import dev.surf.core.ResizeMode;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.TensorScope;
import dev.surf.core.TimeWindow;
import dev.surf.core.grad.Tape;
import dev.surf.core.grad.Variable;
import dev.surf.core.testing.Numerics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The tape (dev.surf.core.grad) on the CUDA backend against the same graph on the CPU: a small
 * windowed DiT-style block (adaLN, q/k/v projections, RMSNorm on k, shifted time-window attention,
 * a GELU projection, a gated residual, MSE) and the VAE / text ops (causal conv3d, channel RMS norm,
 * bilinear resize, embedding, L1). Every op's gradient kernel is compared on its own in the
 * *BackwardKernelTest classes; this checks that they compose: dtypes, shapes and broadcasts as the
 * tape uses them. Per gradient tensor the bound is issue 18's for whole-model gradients, 1e-4
 * relative (a chain of about ten ops, each within F32's 1e-5).
 */
@Tag("gpu")
class TapeCudaTest extends CudaTestBase {
    private static final double CHAIN_TOL = 1e-4;

    /** A leaf of the graph: its values are the same on both backends. */
    private record Leaf(String name, int[] dims, float[] values, boolean trainable) {
    }

    private Leaf leaf(String name, boolean trainable, double scale, int... dims) {
        return new Leaf(name, dims, Numerics.uniform(rnd, (int) Shape.of(dims).numel(), scale), trainable);
    }

    /** The loss and the gradient of every trainable leaf, by name. */
    private static Map<String, float[]> gradients(Backend be, List<Leaf> leaves,
                                                  BiFunction<Tape, Map<String, Variable>, Variable> net) {
        try (TensorScope s = new TensorScope(); Tape tape = new Tape(be)) {
            Map<String, Variable> vs = new LinkedHashMap<>();
            for (Leaf l : leaves) {
                Tensor t = s.track(be.fromFloats(l.values(), Shape.of(l.dims())));
                vs.put(l.name(), l.trainable() ? tape.parameter(t) : tape.constant(t));
            }
            Variable loss = net.apply(tape, vs);
            tape.backward(loss);
            Map<String, float[]> out = new LinkedHashMap<>();
            out.put("loss", be.toFloats(loss.value()));
            for (Map.Entry<String, Variable> e : vs.entrySet()) {
                if (e.getValue().requiresGrad()) {
                    out.put("grad." + e.getKey(), be.toFloats(e.getValue().grad()));
                }
            }
            return out;
        }
    }

    private void assertSameGradients(List<Leaf> leaves, BiFunction<Tape, Map<String, Variable>, Variable> net) {
        Map<String, float[]> g = gradients(gpu, leaves, net);
        Map<String, float[]> c = gradients(cpu, leaves, net);
        assertEquals(c.keySet(), g.keySet());
        for (String k : c.keySet()) {
            Numerics.assertClose(tag(k), g.get(k), c.get(k), CHAIN_TOL);
        }
    }

    @Test
    void windowedBlockGradientsMatchCpu() {
        int frames = 4, perFrame = 3, tokens = frames * perFrame, dim = 16, heads = 2, hd = dim / heads;
        List<Leaf> leaves = List.of(
                leaf("x", true, 1, 1, tokens, dim), leaf("target", false, 1, 1, tokens, dim),
                leaf("shift", true, 0.3, 1, dim), leaf("scale", true, 0.3, 1, dim),
                leaf("wq", true, 0.4, dim, dim), leaf("bq", true, 0.2, dim),
                leaf("wk", true, 0.4, dim, dim), leaf("gk", true, 1, hd),
                leaf("wv", true, 0.4, dim, dim), leaf("bv", true, 0.2, dim),
                leaf("wo", true, 0.4, dim, dim), leaf("bo", true, 0.2, dim), leaf("gate", true, 1, dim));
        AttentionSpec spec = new AttentionSpec((float) (1 / Math.sqrt(hd)), null, null, new TimeWindow(frames, perFrame, 2, 1));
        assertSameGradients(leaves, (t, v) -> {
            Variable h = t.layerNormModulate(v.get("x"), v.get("shift"), v.get("scale"), 1e-6f);
            Variable q = t.view(t.linear(h, v.get("wq"), v.get("bq"), Activation.NONE), 1, tokens, heads, hd);
            Variable k = t.rmsNorm(t.view(t.linear(h, v.get("wk"), null, Activation.NONE), 1, tokens, heads, hd), v.get("gk"), 1e-6f);
            Variable val = t.view(t.linear(h, v.get("wv"), v.get("bv"), Activation.NONE), 1, tokens, heads, hd);
            Variable a = t.view(t.attention(q, k, val, spec), 1, tokens, dim);
            Variable o = t.linear(a, v.get("wo"), v.get("bo"), Activation.GELU_TANH);
            return t.mseLoss(t.add(v.get("x"), t.mul(o, v.get("gate"))), v.get("target"));
        });
    }

    @Test
    void vaeAndTextOpGradientsMatchCpu() {
        gpu.controls().setConvPath(ConvPath.DIRECT);  // the TF32 implicit GEMM would be compared at 2e-3
        try {
            int[] ids = {3, 0, 3, 7, 9, 3};
            List<Leaf> leaves = List.of(
                    leaf("x", true, 1, 3, 2, 5, 6), leaf("w", true, 0.4, 4, 3, 2, 3, 3), leaf("b", true, 0.2, 4),
                    leaf("gamma", true, 1, 4), leaf("target", false, 1, 4, 2, 7, 9),
                    leaf("table", true, 1, 10, 6), leaf("rowsTarget", false, 1, ids.length, 6));
            assertSameGradients(leaves, (t, v) -> {
                Variable y = t.conv3d(v.get("x"), v.get("w"), v.get("b"), 1, 1, 1);
                Variable r = t.resize(t.channelRmsNorm(y, v.get("gamma")), 7, 9, ResizeMode.BILINEAR);
                Variable l1 = t.l1Loss(r, v.get("target"));
                Variable mse = t.mseLoss(t.embedding(v.get("table"), ids), v.get("rowsTarget"));
                return t.add(l1, mse);
            });
        } finally {
            gpu.controls().setConvPath(ConvPath.AUTO);
        }
    }
}
