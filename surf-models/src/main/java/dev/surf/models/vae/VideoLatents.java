package dev.surf.models.vae;

import dev.surf.core.Backend;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.models.video.VideoInput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A prepared video ({@link VideoInput}) encoded to normalised latents mu [16, 1 + (T - 1) / 4, H/8, W/8].
 * Untiled, frames stream chunk by chunk into the encoder, so only one chunk of the video is ever
 * held; tiled ({@link TiledVae}), the whole 3-channel video is gathered first, as every tile reads
 * all frames.
 */
public final class VideoLatents {
    private VideoLatents() {
    }

    /**
     * Encodes the video; {@code tile} null decides by size ({@link VaeTiling#auto}).
     *
     * @throws IOException what reading the video throws (one line naming the source)
     */
    public static Tensor encode(WanVaeEncoder vae, VideoInput in, Boolean tile, VaeTiling tiling) throws IOException {
        Backend be = vae.backend();
        boolean tiled = tile != null ? tile : VaeTiling.auto(in.width(), in.height());
        List<Tensor> parts = new ArrayList<>();
        try {
            if (!tiled) {
                try (WanVaeEncoder.Stream s = vae.stream()) {
                    for (float[][] chunk = in.nextChunk(); chunk != null; chunk = in.nextChunk()) {
                        try (Tensor x = frames(be, chunk, in.width(), in.height())) {
                            parts.add(s.push(x));
                        }
                    }
                }
            } else {
                for (float[][] chunk = in.nextChunk(); chunk != null; chunk = in.nextChunk()) {
                    parts.add(frames(be, chunk, in.width(), in.height()));
                }
                try (Tensor video = parts.size() == 1 ? parts.remove(0) : be.concat(1, parts.toArray(Tensor[]::new))) {
                    parts.forEach(Tensor::close);
                    parts.clear();
                    return TiledVae.encode(vae, video, tiling);
                }
            }
            return parts.size() == 1 ? parts.remove(0) : be.concat(1, parts.toArray(Tensor[]::new));
        } finally {
            parts.forEach(Tensor::close);
        }
    }

    /** Channel-planar frames [3, H, W] each to one tensor [3, n, H, W]. */
    static Tensor frames(Backend be, float[][] chunk, int width, int height) {
        int plane = width * height;
        int n = chunk.length;
        float[] data = new float[3 * n * plane];
        for (int j = 0; j < n; j++) {
            for (int c = 0; c < 3; c++) {
                System.arraycopy(chunk[j], c * plane, data, (c * n + j) * plane, plane);
            }
        }
        return be.fromFloats(data, Shape.of(3, n, height, width));
    }
}
