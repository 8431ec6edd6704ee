package dev.surf.models.wan;

import dev.surf.core.AttentionSpec;
import dev.surf.core.Backend;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.TensorScope;
import java.io.IOException;
import dev.surf.models.wan.WanWeights.Use;

/**
 * {@code WanSelfAttention}: q, k, v projections, RMSNorm of q and k over the full width (before the
 * split into heads), 3D RoPE on q and k, softmax attention, output projection {@code o}.
 */
final class WanSelfAttention {
    final Tensor q;
    final Tensor qBias;
    final Tensor k;
    final Tensor kBias;
    final Tensor v;
    final Tensor vBias;
    final Tensor o;
    final Tensor oBias;
    final Tensor normQ;
    final Tensor normK;
    private final int heads;
    private final float eps;

    WanSelfAttention(WanWeights w, String prefix, int dim, int heads, boolean qkNorm, float eps) throws IOException {
        Shape mat = Shape.of(dim, dim);
        Shape vec = Shape.of(dim);
        q = w.get(prefix + "q.weight", mat, Use.MATMUL);
        qBias = w.get(prefix + "q.bias", vec, Use.FP32);
        k = w.get(prefix + "k.weight", mat, Use.MATMUL);
        kBias = w.get(prefix + "k.bias", vec, Use.FP32);
        v = w.get(prefix + "v.weight", mat, Use.MATMUL);
        vBias = w.get(prefix + "v.bias", vec, Use.FP32);
        o = w.get(prefix + "o.weight", mat, Use.MATMUL);
        oBias = w.get(prefix + "o.bias", vec, Use.FP32);
        normQ = qkNorm ? w.get(prefix + "norm_q.weight", vec, Use.FP32) : null;
        normK = qkNorm ? w.get(prefix + "norm_k.weight", vec, Use.FP32) : null;
        this.heads = heads;
        this.eps = eps;
    }

    /** Projects and normalises one side (q or k) and splits heads: [B, L, H, d]. */
    Tensor project(Backend be, TensorScope s, Tensor x, Tensor weight, Tensor bias, Tensor norm) {
        Tensor y = s.track(be.linear(x, weight, bias, dev.surf.core.Activation.NONE));
        if (norm != null) {
            y = s.track(be.rmsNorm(y, norm, eps));
        }
        return split(y);
    }

    Tensor split(Tensor y) {
        int b = y.rank() == 3 ? y.dim(0) : 1;
        int l = y.dim(-2);
        int dim = y.dim(-1);
        return y.view(b, l, heads, dim / heads);
    }

    /**
     * Attention of h [B, L, dim] with itself, before the output projection: [B, L, dim] in h's dtype.
     * cos/sin are the RoPE tables [L, d/2] of the token positions.
     */
    Tensor attend(Backend be, TensorScope s, Tensor h, Tensor cos, Tensor sin, AttentionSpec spec) {
        Tensor qh = s.track(be.rope(project(be, s, h, q, qBias, normQ), cos, sin));
        Tensor kh = s.track(be.rope(project(be, s, h, k, kBias, normK), cos, sin));
        Tensor vh = project(be, s, h, v, vBias, null);
        Tensor a = s.track(be.attention(qh, kh, vh, spec));
        return a.view(h.shape());
    }
}
