package dev.surf.models.refiner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.surf.core.AttentionSpec;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.TimeWindow;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.testing.Numerics;
import dev.surf.models.api.TextEmbedding;
import dev.surf.models.api.TinyModels;
import dev.surf.models.wan.TextContext;
import dev.surf.models.wan.WanModel;
import dev.surf.models.weights.RandomWeights;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WindowedRefinerTest {

    private static float[] forward(CpuBackend be, int window, Tensor x) throws Exception {
        RefinerConfig c = TinyModels.REFINER;
        try (WanModel m = WanModel.load(new RandomWeights(5), be, c.arch(), window);
             Tensor ctx = TextEmbedding.standIn("p", c.arch().textDim(), 4).upload(be);
             TextContext text = m.prepareText(List.of(ctx));
             Tensor v = m.forward(x, new float[] {500f}, text)) {
            return be.toFloats(v);
        }
    }

    @Test
    void aWindowCoveringAllFramesIsGlobalAttention() throws Exception {
        try (CpuBackend be = new CpuBackend(2);
             Tensor x = be.fromFloats(Numerics.uniform(new SplittableRandom(1), 16 * 4 * 8 * 8, 1), Shape.of(16, 4, 8, 8))) {
            float[] global = forward(be, 0, x);
            assertArrayEquals(global, forward(be, 4, x), "window = frames");
            assertArrayEquals(global, forward(be, 9, x), "window > frames");
            assertFalse(Arrays.equals(global, forward(be, 2, x)), "a real window changes the result");
        }
    }

    /**
     * Shifted windows computed without moving data equal the textbook construction: roll the frames by
     * -s, cut windows, mask the wrapped half from the rest, attend, roll back by +s.
     */
    @Test
    void shiftedWindowsEqualRollAttendUnroll() {
        int frames = 7;
        int tpf = 3;
        int heads = 2;
        int d = 8;
        int wt = 4;
        int s = wt / 2;
        int l = frames * tpf;
        SplittableRandom rnd = new SplittableRandom(9);
        float[] q = Numerics.uniform(rnd, l * heads * d, 1);
        float[] k = Numerics.uniform(rnd, l * heads * d, 1);
        float[] v = Numerics.uniform(rnd, l * heads * d, 1);
        try (CpuBackend be = new CpuBackend(2)) {
            Shape shape = Shape.of(1, l, heads, d);
            float[] direct;
            try (Tensor qt = be.fromFloats(q, shape); Tensor kt = be.fromFloats(k, shape); Tensor vt = be.fromFloats(v, shape);
                 Tensor o = be.attention(qt, kt, vt, AttentionSpec.standard(d).withWindow(new TimeWindow(frames, tpf, wt, s)))) {
                direct = be.toFloats(o);
            }
            int rowLen = heads * d;
            float[] qr = roll(q, -s * tpf, rowLen);
            float[] kr = roll(k, -s * tpf, rowLen);
            float[] vr = roll(v, -s * tpf, rowLen);
            assertArrayEquals(q, roll(qr, s * tpf, rowLen), "roll then unroll is the identity");
            float[] bias = new float[heads * l * l];
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < l; i++) {
                    for (int j = 0; j < l; j++) {
                        int pi = i / tpf;
                        int pj = j / tpf;
                        boolean wi = pi >= frames - s;
                        boolean wj = pj >= frames - s;
                        boolean ok = pi / wt == pj / wt && wi == wj;
                        bias[(h * l + i) * l + j] = ok ? 0f : Float.NEGATIVE_INFINITY;
                    }
                }
            }
            try (Tensor qt = be.fromFloats(qr, shape); Tensor kt = be.fromFloats(kr, shape); Tensor vt = be.fromFloats(vr, shape);
                 Tensor bt = be.fromFloats(bias, Shape.of(heads, l, l));
                 Tensor o = be.attention(qt, kt, vt, AttentionSpec.standard(d).withBias(bt))) {
                float[] unrolled = roll(be.toFloats(o), s * tpf, rowLen);
                Numerics.assertClose("shifted windows", direct, unrolled, 1e-6);
            }
        }
    }

    /** Rolls rows of rowLen values by n positions (torch.roll semantics: element i moves to i + n). */
    private static float[] roll(float[] a, int n, int rowLen) {
        int rows = a.length / rowLen;
        float[] out = new float[a.length];
        for (int r = 0; r < rows; r++) {
            int to = Math.floorMod(r + n, rows);
            System.arraycopy(a, r * rowLen, out, to * rowLen, rowLen);
        }
        return out;
    }
}
