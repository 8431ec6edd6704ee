package dev.surf.models.vae;

import dev.surf.core.Activation;
import dev.surf.core.Backend;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.TensorScope;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code Decoder3d} (parameters {@code decoder.*}): conv1 (z_dim -> dims[0], 3x3x3), the middle
 * (residual, attention, residual), per level num_res_blocks + 1 residual blocks and, except after the
 * last level, an upsampler (upsample3d where the reversed temperal_downsample says so), and the head
 * (RMS_norm, SiLU, conv 3x3x3 -> 3). Widths per spec §10 point 3: a level after an upsampler starts
 * from half the previous width.
 */
final class Decoder3d {
    private final CausalConv3d conv1;
    private final ResidualBlock middle0;
    private final AttentionBlock middle1;
    private final ResidualBlock middle2;
    private final List<ChunkModule> upsamples = new ArrayList<>();
    private final Tensor headNorm;
    private final CausalConv3d headConv;

    Decoder3d(VaeWeights w, WanVaeConfig cfg) throws IOException {
        int[] dims = cfg.decoderDims();
        int levels = dims.length - 1;
        conv1 = CausalConv3d.cube(w, "decoder.conv1", cfg.zDim(), dims[0], 3, 1);
        middle0 = new ResidualBlock(w, "decoder.middle.0", dims[0], dims[0]);
        middle1 = new AttentionBlock(w, "decoder.middle.1", dims[0]);
        middle2 = new ResidualBlock(w, "decoder.middle.2", dims[0], dims[0]);
        int index = 0;
        int in = dims[0];
        for (int level = 0; level < levels; level++) {
            int out = dims[level + 1];
            for (int r = 0; r <= cfg.numResBlocks(); r++) {
                upsamples.add(new ResidualBlock(w, "decoder.upsamples." + index++, in, out));
                in = out;
            }
            if (level != levels - 1) {
                upsamples.add(new Resample(w, "decoder.upsamples." + index++, out, cfg.temporalUpsample(level)));
                in = out / 2;
            }
        }
        headNorm = w.get("decoder.head.0.gamma", Shape.of(in, 1, 1, 1));
        headConv = CausalConv3d.cube(w, "decoder.head.2", in, 3, 3, 1);
    }

    /** One latent chunk x [dims[0]-input z_dim, n, h, w] (after conv2) -> pixels [3, n', 8h, 8w]. */
    Tensor apply(Backend be, Tensor x, TimeCache cache) {
        try (TensorScope s = new TensorScope()) {
            Tensor h = s.track(conv1.apply(be, x, cache));
            h = step(s, middle0.apply(be, h, cache), h);
            h = step(s, middle1.apply(be, h), h);
            h = step(s, middle2.apply(be, h, cache), h);
            for (ChunkModule m : upsamples) {
                h = step(s, m.apply(be, h, cache), h);
            }
            Tensor a = s.track(be.activation(s.track(be.channelRmsNorm(h, headNorm)), Activation.SILU));
            return headConv.apply(be, a, cache);
        }
    }

    /** Moves to the next activation, releasing the previous one at once so a chunk holds two at most. */
    private static Tensor step(TensorScope s, Tensor next, Tensor prev) {
        prev.close();
        return s.track(next);
    }
}
