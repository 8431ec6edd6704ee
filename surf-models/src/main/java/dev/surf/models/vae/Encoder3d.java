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
 * {@code Encoder3d} (parameters {@code encoder.*}): conv1 (3 -> dim, 3x3x3), per level
 * num_res_blocks residual blocks and, except after the last level, a downsampler (downsample3d where
 * temperal_downsample says so), the middle (residual, attention, residual) and the head (RMS_norm,
 * SiLU, conv 3x3x3 -> 2 z_dim). Widths dim x [1, dim_mult...]: [96, 96, 192, 384, 384] for Wan 2.1.
 * The modules are numbered as the official flat {@code downsamples} list, so keys map one to one.
 */
final class Encoder3d {
    private final CausalConv3d conv1;
    private final List<ChunkModule> downsamples = new ArrayList<>();
    private final ResidualBlock middle0;
    private final AttentionBlock middle1;
    private final ResidualBlock middle2;
    private final Tensor headNorm;
    private final CausalConv3d headConv;

    Encoder3d(Backend be, VaeWeights w, WanVaeConfig cfg) throws IOException {
        int[] dims = cfg.encoderDims();
        int levels = dims.length - 1;
        conv1 = CausalConv3d.cube(w, "encoder.conv1", 3, dims[0], 3, 1);
        int index = 0;
        int in = dims[0];
        for (int level = 0; level < levels; level++) {
            int out = dims[level + 1];
            for (int r = 0; r < cfg.numResBlocks(); r++) {
                downsamples.add(new ResidualBlock(w, "encoder.downsamples." + index++, in, out));
                in = out;
            }
            if (level != levels - 1) {
                downsamples.add(new Downsample(be, w, "encoder.downsamples." + index++, out,
                        cfg.temporalDownsample()[level]));
            }
        }
        middle0 = new ResidualBlock(w, "encoder.middle.0", in, in);
        middle1 = new AttentionBlock(w, "encoder.middle.1", in);
        middle2 = new ResidualBlock(w, "encoder.middle.2", in, in);
        headNorm = w.get("encoder.head.0.gamma", Shape.of(in, 1, 1, 1));
        headConv = CausalConv3d.cube(w, "encoder.head.2", in, 2 * cfg.zDim(), 3, 1);
    }

    /** One video chunk x [3, n, H, W] (n = 1 first, then 4) -> [2 z_dim, n', H/8, W/8]. */
    Tensor apply(Backend be, Tensor x, TimeCache cache) {
        try (TensorScope s = new TensorScope()) {
            Tensor h = s.track(conv1.apply(be, x, cache));
            for (ChunkModule m : downsamples) {
                h = step(s, m.apply(be, h, cache), h);
            }
            h = step(s, middle0.apply(be, h, cache), h);
            h = step(s, middle1.apply(be, h), h);
            h = step(s, middle2.apply(be, h, cache), h);
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
