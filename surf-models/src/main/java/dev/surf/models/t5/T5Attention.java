package dev.surf.models.t5;

import dev.surf.core.Activation;
import dev.surf.core.AttentionSpec;
import dev.surf.core.Backend;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.TensorScope;
import java.io.IOException;

/**
 * {@code T5Attention} (self-attention only): q, k, v projections without bias, softmax of
 * {@code q k^T + bias} with NO 1/sqrt(d) scaling (the T5 convention), padding keys masked through the
 * spec's key lengths, output projection {@code o}.
 */
final class T5Attention {
    private final Tensor q;
    private final Tensor k;
    private final Tensor v;
    private final Tensor o;
    private final int heads;

    T5Attention(T5Weights w, String name, int dim, int dimAttn, int heads) throws IOException {
        Shape in = Shape.of(dimAttn, dim);
        q = w.matrix(name + ".q.weight", in);
        k = w.matrix(name + ".k.weight", in);
        v = w.matrix(name + ".v.weight", in);
        o = w.matrix(name + ".o.weight", Shape.of(dim, dimAttn));
        this.heads = heads;
    }

    /**
     * Attention of x [B, L, dim] with itself under spec (scale 1, key lengths, position bias), after
     * the output projection: [B, L, dim] in x's dtype.
     */
    Tensor forward(Backend be, Tensor x, AttentionSpec spec) {
        int b = x.dim(0);
        int l = x.dim(1);
        try (TensorScope s = new TensorScope()) {
            Tensor qh = s.track(be.linear(x, q, null, Activation.NONE));
            Tensor kh = s.track(be.linear(x, k, null, Activation.NONE));
            Tensor vh = s.track(be.linear(x, v, null, Activation.NONE));
            int d = qh.dim(-1) / heads;
            Tensor a = s.track(be.attention(qh.view(b, l, heads, d), kh.view(b, l, heads, d), vh.view(b, l, heads, d), spec));
            return be.linear(a.view(b, l, heads * d), o, null, Activation.NONE);
        }
    }
}
