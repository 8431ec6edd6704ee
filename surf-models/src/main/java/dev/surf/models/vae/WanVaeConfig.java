package dev.surf.models.vae;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Hyper-parameters of the Wan-VAE ({@code WanVAE_} in wan/modules/vae.py, spec/wan21.md §4.1), as
 * the constructor arguments: {@code dim}, {@code z_dim}, {@code dim_mult}, {@code num_res_blocks},
 * {@code temperal_downsample} (sic, the official spelling). The decoder uses the reversed temporal
 * list and no attention outside its middle block ({@code attn_scales = []}, the only value Wan uses).
 *
 * @param dim                base channel width (96)
 * @param zDim               latent channels (16)
 * @param dimMult            width multipliers per level ([1, 2, 4, 4])
 * @param numResBlocks       residual blocks per level (2; the decoder has one more per level)
 * @param temporalDownsample per level transition, whether the encoder halves time ([false, true, true])
 */
public record WanVaeConfig(int dim, int zDim, int[] dimMult, int numResBlocks, boolean[] temporalDownsample) {

    /** The Wan 2.1 VAE (Wan2.1_VAE.pth). */
    public static final WanVaeConfig WAN21 = new WanVaeConfig(96, 16, new int[] {1, 2, 4, 4}, 2,
            new boolean[] {false, true, true});

    public WanVaeConfig {
        dimMult = dimMult.clone();
        temporalDownsample = temporalDownsample.clone();
        if (dim <= 0 || zDim <= 0 || numResBlocks < 0 || dimMult.length < 2) {
            throw new IllegalArgumentException("Wan-VAE config: dim, z_dim must be positive, num_res_blocks >= 0 and"
                    + " dim_mult needs at least two levels: " + this);
        }
        if (temporalDownsample.length != dimMult.length - 1) {
            throw new IllegalArgumentException("Wan-VAE config: temperal_downsample needs " + (dimMult.length - 1)
                    + " entries (one per level transition), got " + temporalDownsample.length);
        }
        for (int m : dimMult) {
            if (m <= 0) {
                throw new IllegalArgumentException("Wan-VAE config: dim_mult entries must be positive: " + Arrays.toString(dimMult));
            }
        }
        // every upsampling halves the channels; the next level must get an integer width
        int[] d = decoderDims(dim, dimMult);
        for (int i = 1; i < d.length - 1; i++) {
            if (d[i] % 2 != 0) {
                throw new IllegalArgumentException("Wan-VAE config: decoder width " + d[i] + " at level " + i
                        + " is odd and cannot be halved by the upsampler");
            }
        }
    }

    @Override
    public int[] dimMult() {
        return dimMult.clone();
    }

    @Override
    public boolean[] temporalDownsample() {
        return temporalDownsample.clone();
    }

    /** Decoder widths: dim x [dim_mult[-1], reversed dim_mult...] (spec §10 point 3): [384, 384, 384, 192, 96] for Wan 2.1. */
    public int[] decoderDims() {
        return decoderDims(dim, dimMult);
    }

    private static int[] decoderDims(int dim, int[] mult) {
        int[] d = new int[mult.length + 1];
        d[0] = dim * mult[mult.length - 1];
        for (int i = 0; i < mult.length; i++) {
            d[i + 1] = dim * mult[mult.length - 1 - i];
        }
        return d;
    }

    /** Encoder widths: dim x [1, dim_mult...]: [96, 96, 192, 384, 384] for Wan 2.1. */
    public int[] encoderDims() {
        int[] d = new int[dimMult.length + 1];
        d[0] = dim;
        for (int i = 0; i < dimMult.length; i++) {
            d[i + 1] = dim * dimMult[i];
        }
        return d;
    }

    /** Latent frames of a video of 1 + timeStride k frames: 1 + k (21 for 81). */
    public int latentFrames(int videoFrames) {
        return 1 + (videoFrames - 1) / timeStride();
    }

    /** Whether the decoder's upsampler after level i also doubles time (the reversed temperal_downsample). */
    public boolean temporalUpsample(int level) {
        return temporalDownsample[temporalDownsample.length - 1 - level];
    }

    /** Output frames per latent frame after the first: 2 per temporal upsampler (4 for Wan 2.1). */
    public int timeStride() {
        int s = 1;
        for (boolean b : temporalDownsample) {
            s *= b ? 2 : 1;
        }
        return s;
    }

    /** Pixels per latent pixel along H and W: 2 per upsampler (8 for Wan 2.1). */
    public int spaceStride() {
        return 1 << (dimMult.length - 1);
    }

    /** Video frames decoded from t latent frames: 1 + timeStride (t - 1), i.e. 81 for 21. */
    public int outputFrames(int latentFrames) {
        return latentFrames <= 0 ? 0 : 1 + timeStride() * (latentFrames - 1);
    }

    /**
     * Reads a JSON object with the constructor's keys ({@code dim}, {@code z_dim}, {@code dim_mult},
     * {@code num_res_blocks}, {@code temperal_downsample}); absent keys take the Wan 2.1 values.
     */
    public static WanVaeConfig fromJson(Path file) throws IOException {
        JsonNode n;
        try {
            n = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException("cannot read Wan-VAE config " + file + ": " + e.getMessage(), e);
        }
        if (n == null || !n.isObject()) {
            throw new IOException("Wan-VAE config " + file + " is not a JSON object");
        }
        WanVaeConfig d = WAN21;
        try {
            int[] mult = d.dimMult;
            if (n.has("dim_mult")) {
                JsonNode a = n.get("dim_mult");
                mult = new int[a.size()];
                for (int i = 0; i < mult.length; i++) {
                    mult[i] = a.get(i).asInt();
                }
            }
            boolean[] down = d.temporalDownsample;
            if (n.has("temperal_downsample")) {
                JsonNode a = n.get("temperal_downsample");
                down = new boolean[a.size()];
                for (int i = 0; i < down.length; i++) {
                    down[i] = a.get(i).asBoolean();
                }
            }
            return new WanVaeConfig(n.path("dim").asInt(d.dim), n.path("z_dim").asInt(d.zDim), mult,
                    n.path("num_res_blocks").asInt(d.numResBlocks), down);
        } catch (IllegalArgumentException e) {
            throw new IOException("Wan-VAE config " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WanVaeConfig c && dim == c.dim && zDim == c.zDim && numResBlocks == c.numResBlocks
                && Arrays.equals(dimMult, c.dimMult) && Arrays.equals(temporalDownsample, c.temporalDownsample);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * dim + zDim) + numResBlocks) + 7 * Arrays.hashCode(dimMult) + Arrays.hashCode(temporalDownsample);
    }

    @Override
    public String toString() {
        return "WanVaeConfig[dim=" + dim + ", z_dim=" + zDim + ", dim_mult=" + Arrays.toString(dimMult)
                + ", num_res_blocks=" + numResBlocks + ", temperal_downsample=" + Arrays.toString(temporalDownsample) + "]";
    }
}
