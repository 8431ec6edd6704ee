package dev.surf.models.wan;

import dev.surf.core.Activation;
import dev.surf.core.AttentionSpec;
import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.TensorScope;
import java.io.IOException;
import dev.surf.models.wan.WanWeights.Use;

/**
 * {@code WanAttentionBlock} (spec/wan21.md §2.3 step 6): adaLN-modulated self-attention with a gated
 * residual, un-modulated cross-attention behind the affine {@code norm3}, and a modulated, gated
 * GELU-tanh FFN. The six modulation rows are {@code modulation + e0} in the order shift, scale, gate
 * (self-attention) then shift, scale, gate (FFN). The residual stream stays F32.
 */
final class WanAttentionBlock {
    final int index;
    final Tensor modulation;
    final WanSelfAttention selfAttn;
    final WanCrossAttention crossAttn;
    final Tensor norm3Weight;
    final Tensor norm3Bias;
    final Tensor ffn0;
    final Tensor ffn0Bias;
    final Tensor ffn2;
    final Tensor ffn2Bias;
    private final float eps;
    private final AttentionSpec crossSpec;

    WanAttentionBlock(WanWeights w, int index, WanConfig c) throws IOException {
        this.index = index;
        String p = "blocks." + index + ".";
        int dim = c.dim();
        modulation = w.get(p + "modulation", Shape.of(1, 6, dim), Use.FP32);
        selfAttn = new WanSelfAttention(w, p + "self_attn.", dim, c.numHeads(), c.qkNorm(), c.eps());
        crossAttn = new WanCrossAttention(w, p + "cross_attn.", dim, c.numHeads(), c.qkNorm(), c.eps());
        norm3Weight = c.crossAttnNorm() ? w.get(p + "norm3.weight", Shape.of(dim), Use.FP32) : null;
        norm3Bias = c.crossAttnNorm() ? w.get(p + "norm3.bias", Shape.of(dim), Use.FP32) : null;
        ffn0 = w.get(p + "ffn.0.weight", Shape.of(c.ffnDim(), dim), Use.MATMUL);
        ffn0Bias = w.get(p + "ffn.0.bias", Shape.of(c.ffnDim()), Use.FP32);
        ffn2 = w.get(p + "ffn.2.weight", Shape.of(dim, c.ffnDim()), Use.MATMUL);
        ffn2Bias = w.get(p + "ffn.2.bias", Shape.of(dim), Use.FP32);
        eps = c.eps();
        crossSpec = AttentionSpec.standard(c.headDim());
    }

    /**
     * Updates the residual stream x [B, L, dim] (F32) in place.
     *
     * @param e0       time projection [B, 6, dim] (F32)
     * @param rope     cos/sin tables of the token positions
     * @param selfSpec self-attention options (global for Wan, time-windowed for the Refiner)
     * @param text     prepared text keys/values
     */
    void forward(Backend be, Tensor x, Tensor e0, Tensor[] rope, AttentionSpec selfSpec, TextContext text,
                 ActivationProbe probe) {
        int b = x.dim(0);
        int dim = x.dim(-1);
        DType act = be.activationType();
        try (TensorScope s = new TensorScope()) {
            // mod = modulation + e0, then rows regrouped [6, B, dim] so each chunk is contiguous
            Tensor mod = s.track(be.add(e0, modulation.view(6, dim)));
            Tensor chunks = s.track(be.permute(mod, 1, 0, 2));
            Tensor[] m = new Tensor[6];
            for (int i = 0; i < 6; i++) {
                m[i] = chunks.slice(i, i + 1).view(b, dim);
            }

            Tensor h = s.track(be.layerNormModulate(x, m[0], m[1], eps, act));
            Tensor sa = selfAttn.attend(be, s, h, rope[0], rope[1], selfSpec);
            if (probe != null) {
                try (Tensor y = be.linear(sa, selfAttn.o, selfAttn.oBias, Activation.NONE)) {
                    probe.record("block" + index + ".self_attn", y);
                }
            }
            be.linearResidual(x, sa, selfAttn.o, selfAttn.oBias, m[2]);

            Tensor hc = norm3Weight == null ? s.track(be.convert(x, act))
                    : s.track(be.layerNorm(x, norm3Weight, norm3Bias, eps, act));
            Tensor ca = crossAttn.attend(be, s, hc, text.keys(index), text.values(index), crossSpec);
            WanSelfAttention cp = crossAttn.projections();
            if (probe != null) {
                try (Tensor y = be.linear(ca, cp.o, cp.oBias, Activation.NONE)) {
                    probe.record("block" + index + ".cross_attn", y);
                }
            }
            be.linearResidual(x, ca, cp.o, cp.oBias, null);

            Tensor hf = s.track(be.layerNormModulate(x, m[3], m[4], eps, act));
            Tensor f = s.track(be.linear(hf, ffn0, ffn0Bias, Activation.GELU_TANH));
            be.linearResidual(x, f, ffn2, ffn2Bias, m[5]);
            if (probe != null) {
                probe.record("block" + index, x);
            }
        }
    }
}
