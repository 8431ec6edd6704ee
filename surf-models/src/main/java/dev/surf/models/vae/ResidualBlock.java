package dev.surf.models.vae;

import dev.surf.core.Activation;
import dev.surf.core.Backend;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.TensorScope;
import java.io.IOException;

/**
 * {@code ResidualBlock(in, out)}: residual = RMS_norm, SiLU, CausalConv3d 3x3x3 (in -> out), RMS_norm,
 * SiLU, (dropout 0), CausalConv3d 3x3x3 (out -> out); shortcut = CausalConv3d 1x1x1 when in != out,
 * else identity; output residual + shortcut. Official indices: residual.0/.2/.3/.6, shortcut.
 */
final class ResidualBlock implements ChunkModule {
    private final Tensor norm1;
    private final CausalConv3d conv1;
    private final Tensor norm2;
    private final CausalConv3d conv2;
    private final CausalConv3d shortcut;

    ResidualBlock(VaeWeights w, String prefix, int in, int out) throws IOException {
        norm1 = w.get(prefix + ".residual.0.gamma", Shape.of(in, 1, 1, 1));
        conv1 = CausalConv3d.cube(w, prefix + ".residual.2", in, out, 3, 1);
        norm2 = w.get(prefix + ".residual.3.gamma", Shape.of(out, 1, 1, 1));
        conv2 = CausalConv3d.cube(w, prefix + ".residual.6", out, out, 3, 1);
        shortcut = in != out ? CausalConv3d.cube(w, prefix + ".shortcut", in, out, 1, 0) : null;
    }

    /** One chunk with the time cache (null cache: the whole sequence at once). */
    @Override
    public Tensor apply(Backend be, Tensor x, TimeCache cache) {
        try (TensorScope s = new TensorScope()) {
            Tensor h = s.track(be.activation(s.track(be.channelRmsNorm(x, norm1)), Activation.SILU));
            h = s.track(conv1.apply(be, h, cache));
            h = s.track(be.activation(s.track(be.channelRmsNorm(h, norm2)), Activation.SILU));
            Tensor r = conv2.apply(be, h, cache);
            if (shortcut == null) {
                be.addInPlace(r, x);
            } else {
                be.addInPlace(r, s.track(shortcut.apply(be, x)));
            }
            return r;
        }
    }
}
