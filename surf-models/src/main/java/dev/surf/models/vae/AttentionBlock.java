package dev.surf.models.vae;

import dev.surf.core.AttentionSpec;
import dev.surf.core.Backend;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.TensorScope;
import java.io.IOException;

/**
 * {@code AttentionBlock(C)}: single-head self-attention over the H x W pixels of each frame (frames are
 * independent, so it needs no cache): RMS_norm, a 1x1 {@code to_qkv} (C -> 3C, q = channels [0, C),
 * k = [C, 2C), v = [2C, 3C)), softmax(q k^T / sqrt(C)) v, a 1x1 {@code proj}, plus the input.
 */
final class AttentionBlock {
    private final int c;
    private final Tensor norm;
    private final Tensor toQkv;
    private final Tensor toQkvBias;
    private final Tensor proj;
    private final Tensor projBias;

    AttentionBlock(VaeWeights w, String prefix, int c) throws IOException {
        this.c = c;
        norm = w.get(prefix + ".norm.gamma", Shape.of(c, 1, 1));
        toQkv = w.get(prefix + ".to_qkv.weight", Shape.of(3 * c, c, 1, 1));
        toQkvBias = w.get(prefix + ".to_qkv.bias", Shape.of(3 * c));
        proj = w.get(prefix + ".proj.weight", Shape.of(c, c, 1, 1));
        projBias = w.get(prefix + ".proj.bias", Shape.of(c));
    }

    /** x [C, T, H, W] -> same shape. */
    Tensor apply(Backend be, Tensor x) {
        int t = x.dim(1);
        int h = x.dim(2);
        int w = x.dim(3);
        int l = h * w;
        try (TensorScope s = new TensorScope()) {
            Tensor n = s.track(be.channelRmsNorm(x, norm));
            Tensor qkv = s.track(be.conv3d(n, toQkv.view(3 * c, c, 1, 1, 1), toQkvBias, 0, 0, 0));
            // [3C, T, HW] -> [3, T, HW, C]: per frame a batch item, pixels as tokens, one head
            Tensor tokens = s.track(be.permute(qkv.view(3, c, t, l), 0, 2, 3, 1));
            Tensor q = tokens.slice(0, 1).view(t, l, 1, c);
            Tensor k = tokens.slice(1, 2).view(t, l, 1, c);
            Tensor v = tokens.slice(2, 3).view(t, l, 1, c);
            Tensor a = s.track(be.attention(q, k, v, AttentionSpec.standard(c)));
            Tensor back = s.track(be.permute(a.view(t, l, c), 2, 0, 1)).view(c, t, h, w);
            Tensor out = be.conv3d(back, proj.view(c, c, 1, 1, 1), projBias, 0, 0, 0);
            be.addInPlace(out, x);
            return out;
        }
    }
}
