package dev.surf.models.wan;

import dev.surf.core.AttentionSpec;
import dev.surf.core.Backend;
import dev.surf.core.Tensor;
import dev.surf.core.TensorScope;
import java.io.IOException;

/**
 * {@code WanT2VCrossAttention}: queries from the video tokens, keys and values from the text
 * embedding, RMSNorm on q and k, no RoPE, and no mask: all text_len rows are attended, padding
 * included (spec/wan21.md §2.5). Keys and values depend only on the text, so a {@link TextContext}
 * computes them once per prompt and reuses them at every step.
 */
final class WanCrossAttention {
    private final WanSelfAttention proj;

    WanCrossAttention(WanWeights w, String prefix, int dim, int heads, boolean qkNorm, float eps) throws IOException {
        this.proj = new WanSelfAttention(w, prefix, dim, heads, qkNorm, eps);
    }

    WanSelfAttention projections() {
        return proj;
    }

    /** Keys [B, text_len, H, d] of the context embedding ctx [B, text_len, dim]. */
    Tensor keys(Backend be, TensorScope s, Tensor ctx) {
        return proj.project(be, s, ctx, proj.k, proj.kBias, proj.normK);
    }

    /** Values [B, text_len, H, d]. */
    Tensor values(Backend be, TensorScope s, Tensor ctx) {
        return proj.project(be, s, ctx, proj.v, proj.vBias, null);
    }

    /** Attention of x [B, L, dim] over the prepared keys/values, before the output projection. */
    Tensor attend(Backend be, TensorScope s, Tensor x, Tensor keys, Tensor values, AttentionSpec spec) {
        Tensor qh = proj.project(be, s, x, proj.q, proj.qBias, proj.normQ);
        Tensor a = s.track(be.attention(qh, keys, values, spec));
        return a.view(x.shape());
    }
}
