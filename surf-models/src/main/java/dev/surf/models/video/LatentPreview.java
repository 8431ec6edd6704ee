package dev.surf.models.video;

import dev.surf.core.io.AtomicOutput;
import dev.surf.core.Backend;
import dev.surf.core.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A cheap look at a Wan 2.1 latent without the VAE: each latent pixel's 16 channels projected to RGB
 * by a fixed linear map plus bias, then mapped to bytes like decoded video ((x + 1) / 2 * 255). It
 * costs 48 multiply-adds per latent pixel, so a sampler can write one per step or per stage and a
 * user sees the layout seconds into a run; colours and layout are right, detail is 8x coarser.
 *
 * <p>The coefficients are ComfyUI's published ones for Wan 2.1 ({@code latent_rgb_factors} and
 * {@code latent_rgb_factors_bias} of class {@code Wan21} in comfy/latent_formats.py, repository
 * comfyanonymous/ComfyUI). They apply to the normalised latents the DiT works on (ComfyUI's
 * {@code process_in} divides by the same 16 std constants), i.e. to exactly what our sampler holds.
 */
public final class LatentPreview {
    /** [channel][r, g, b]. */
    static final float[][] FACTORS = {
        {-0.1299f, -0.1692f, 0.2932f},
        {0.0671f, 0.0406f, 0.0442f},
        {0.3568f, 0.2548f, 0.1747f},
        {0.0372f, 0.2344f, 0.1420f},
        {0.0313f, 0.0189f, -0.0328f},
        {0.0296f, -0.0956f, -0.0665f},
        {-0.3477f, -0.4059f, -0.2925f},
        {0.0166f, 0.1902f, 0.1975f},
        {-0.0412f, 0.0267f, -0.1364f},
        {-0.1293f, 0.0740f, 0.1636f},
        {0.0680f, 0.3019f, 0.1128f},
        {0.0032f, 0.0581f, 0.0639f},
        {-0.1251f, 0.0927f, 0.1699f},
        {0.0060f, -0.0633f, 0.0005f},
        {0.3477f, 0.2275f, 0.2950f},
        {0.1984f, 0.0913f, 0.1861f},
    };
    static final float[] BIAS = {-0.1835f, -0.0868f, -0.3360f};

    private LatentPreview() {
    }

    /** The RGB value in [-1, 1] (before clamping) of one latent pixel's 16 channels. */
    public static float[] project(float[] channels) {
        if (channels.length != FACTORS.length) {
            throw new IllegalArgumentException("a Wan 2.1 latent pixel has 16 channels, got " + channels.length);
        }
        float[] rgb = BIAS.clone();
        for (int c = 0; c < FACTORS.length; c++) {
            for (int k = 0; k < 3; k++) {
                rgb[k] += channels[c] * FACTORS[c][k];
            }
        }
        return rgb;
    }

    /**
     * Interleaved RGB bytes ((h scale) x (w scale) x 3) of latent frame {@code frame} of z, given as
     * channels-first values [16, t, h, w]; each latent pixel becomes a scale x scale block.
     */
    public static byte[] rgb(float[] z, int t, int h, int w, int frame, int scale) {
        if (z.length != 16 * t * h * w || frame < 0 || frame >= t || scale < 1) {
            throw new IllegalArgumentException("latent preview: " + z.length + " values are not [16, " + t + ", " + h
                    + ", " + w + "], or frame " + frame + " / scale " + scale + " is out of range");
        }
        int plane = h * w;
        int ow = w * scale;
        byte[] out = new byte[3 * plane * scale * scale];
        float[] px = new float[16];
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < 16; c++) {
                px[c] = z[(c * t + frame) * plane + p];
            }
            float[] rgb = project(px);
            int y0 = (p / w) * scale;
            int x0 = (p % w) * scale;
            for (int dy = 0; dy < scale; dy++) {
                for (int dx = 0; dx < scale; dx++) {
                    int o = 3 * ((y0 + dy) * ow + x0 + dx);
                    for (int k = 0; k < 3; k++) {
                        out[o + k] = (byte) Pixels.toByte(rgb[k]);
                    }
                }
            }
        }
        return out;
    }

    /** Writes the preview of latent frame {@code frame} of z [16, T, h, w] as a PNG (atomically). */
    public static void writePng(Backend be, Tensor z, int frame, int scale, Path file) throws IOException {
        if (z.rank() != 4 || z.dim(0) != 16) {
            throw new IllegalArgumentException("latent preview needs z [16, T, h, w], got " + z.shape());
        }
        byte[] rgb = rgb(be.toFloats(z), z.dim(1), z.dim(2), z.dim(3), frame, scale);
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        try (AtomicOutput out = AtomicOutput.file(file)) {
            PngFrameWriter.writePng(out.temp(), rgb, z.dim(3) * scale, z.dim(2) * scale);
            out.commit();
        }
    }
}
