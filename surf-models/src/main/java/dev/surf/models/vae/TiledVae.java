package dev.surf.models.vae;

import dev.surf.core.Backend;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import java.io.IOException;

/**
 * Tiled encode and decode ({@link VaeTiling}): the frame is cut into overlapping tiles, each tile is
 * encoded or decoded over the whole sequence as a video of its own (its own time cache, so only one
 * tile's activations and caches are ever alive), and the tile outputs are blended with the linear
 * weights of {@link TileGrid} into an accumulator on the host. The accumulator holds the whole
 * 3-channel output (decode) or the latent (encode): far less than the activations of a whole frame
 * (96 to 384 channels), but unlike the untiled decoder it grows with the number of frames.
 */
public final class TiledVae {
    private TiledVae() {
    }

    /**
     * Decodes z [16, T, h, w] in tiles into sink, chunk by chunk after all tiles are done (the first
     * chunk one frame, then timeStride frames, as the untiled decoder delivers them). The raw tile
     * outputs are blended, then clamped to [-1, 1] when {@code clamp}.
     */
    public static void decode(WanVaeDecoder vae, Tensor z, VaeTiling tiling, FrameSink sink, boolean clamp)
            throws IOException {
        Backend be = vae.backend();
        WanVaeConfig cfg = vae.config();
        int s = cfg.spaceStride();
        TileGrid rows = TileGrid.of(z.dim(2), tiling.tile(), tiling.overlap());
        TileGrid cols = TileGrid.of(z.dim(3), tiling.tile(), tiling.overlap());
        int frames = cfg.outputFrames(z.dim(1));
        int height = z.dim(2) * s;
        int width = z.dim(3) * s;
        float[][] acc = new float[frames][];
        for (int i = 0; i < frames; i++) {
            acc[i] = new float[3 * height * width];
        }
        for (int r = 0; r < rows.count(); r++) {
            for (int c = 0; c < cols.count(); c++) {
                float[] wy = rows.weights(r, s);
                float[] wx = cols.weights(c, s);
                int y0 = rows.starts()[r] * s;
                int x0 = cols.starts()[c] * s;
                try (Tensor band = be.narrow(z, 2, rows.starts()[r], rows.sizes()[r]);
                     Tensor tile = be.narrow(band, 3, cols.starts()[c], cols.sizes()[c])) {
                    vae.decode(tile, (out, first) -> blend(be.toFloats(out), out.dim(1), wy, wx, acc, first, 3,
                            height, width, y0, x0), false);
                }
            }
        }
        int first = 0;
        while (first < frames) {
            int n = first == 0 ? 1 : cfg.timeStride();
            float[] chunk = new float[3 * n * height * width];
            int plane = height * width;
            for (int j = 0; j < n; j++) {
                float[] f = acc[first + j];
                for (int ch = 0; ch < 3; ch++) {
                    System.arraycopy(f, ch * plane, chunk, (ch * n + j) * plane, plane);
                }
                acc[first + j] = null;
            }
            if (clamp) {
                for (int i = 0; i < chunk.length; i++) {
                    chunk[i] = Math.min(1f, Math.max(-1f, chunk[i]));
                }
            }
            try (Tensor t = be.fromFloats(chunk, Shape.of(3, n, height, width))) {
                sink.accept(t, first);
            }
            first += n;
        }
    }

    /**
     * Encodes video [3, 1 + 4k, H, W] in tiles of tile x 8 video pixels to mu [16, 1 + k, H/8, W/8]
     * F32, blending the normalised tile latents.
     */
    public static Tensor encode(WanVaeEncoder vae, Tensor video, VaeTiling tiling) {
        Backend be = vae.backend();
        WanVaeConfig cfg = vae.config();
        int s = cfg.spaceStride();
        if (video.rank() != 4 || video.dim(2) % s != 0 || video.dim(3) % s != 0) {
            // the encoder's own check gives the message
            return vae.encode(video);
        }
        int h = video.dim(2) / s;
        int w = video.dim(3) / s;
        int t = cfg.latentFrames(video.dim(1));
        int z = cfg.zDim();
        TileGrid rows = TileGrid.of(h, tiling.tile(), tiling.overlap());
        TileGrid cols = TileGrid.of(w, tiling.tile(), tiling.overlap());
        float[][] acc = new float[t][z * h * w];
        for (int r = 0; r < rows.count(); r++) {
            for (int c = 0; c < cols.count(); c++) {
                try (Tensor band = be.narrow(video, 2, rows.starts()[r] * s, rows.sizes()[r] * s);
                     Tensor tile = be.narrow(band, 3, cols.starts()[c] * s, cols.sizes()[c] * s);
                     Tensor mu = vae.encode(tile)) {
                    blend(be.toFloats(mu), t, rows.weights(r, 1), cols.weights(c, 1), acc, 0, z, h, w,
                            rows.starts()[r], cols.starts()[c]);
                }
            }
        }
        float[] out = new float[z * t * h * w];
        int plane = h * w;
        for (int f = 0; f < t; f++) {
            for (int ch = 0; ch < z; ch++) {
                System.arraycopy(acc[f], ch * plane, out, (ch * t + f) * plane, plane);
            }
        }
        return be.fromFloats(out, Shape.of(z, t, h, w));
    }

    /**
     * acc[first + j][ch, y0 + y, x0 + x] += wy[y] wx[x] tile[ch, j, y, x] for a tile [channels, n, th, tw]
     * (th = wy.length, tw = wx.length) inside frames of height x width.
     */
    private static void blend(float[] tile, int n, float[] wy, float[] wx, float[][] acc, int first, int channels,
                              int height, int width, int y0, int x0) {
        int th = wy.length;
        int tw = wx.length;
        for (int ch = 0; ch < channels; ch++) {
            for (int j = 0; j < n; j++) {
                float[] f = acc[first + j];
                int src = (ch * n + j) * th * tw;
                for (int y = 0; y < th; y++) {
                    int dst = (ch * height + y0 + y) * width + x0;
                    float ry = wy[y];
                    for (int x = 0; x < tw; x++) {
                        f[dst + x] += ry * wx[x] * tile[src + y * tw + x];
                    }
                }
            }
        }
    }
}
