package dev.surf.models.vae;

import dev.surf.core.Backend;
import dev.surf.models.weights.Checkpoint;
import dev.surf.models.weights.StoreWeights;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Opens a Wan-VAE checkpoint ({@link Checkpoint}): the official {@code Wan2.1_VAE.pth} read directly, a
 * safetensors repack with official names, or a diffusers {@code AutoencoderKLWan} folder or file. The
 * configuration is an explicit JSON file when given, else Wan 2.1's with the widths read from the
 * weight shapes (so the tiny test VAE opens too).
 */
public final class VaeCheckpoint {
    private VaeCheckpoint() {
    }

    /** Loads the decoder at path onto the backend; configFile may be null. */
    public static WanVaeDecoder load(Path path, Path configFile, Backend be) throws IOException {
        return Checkpoint.load(path, ckpt -> {
            WanVaeConfig cfg = configFile != null ? WanVaeConfig.fromJson(configFile) : infer(ckpt);
            return WanVaeDecoder.load(weights(ckpt, cfg), be, cfg);
        });
    }

    /**
     * The checkpoint's parameters under official decoder names; the diffusers layout groups the
     * upsampling blocks per level, so the rename depends on the configuration.
     */
    public static StoreWeights weights(Checkpoint ckpt, WanVaeConfig cfg) {
        return ckpt.weights("Wan VAE", VaeKeys.toDiffusers(cfg));
    }

    /**
     * Wan 2.1's configuration with {@code dim} and {@code z_dim} taken from the shapes of the head norm
     * (dim channels, as dim_mult starts with 1) and of conv2 (z_dim x z_dim). Those two names do not
     * depend on the blocks per level, so Wan 2.1's rename reads them in either naming.
     */
    public static WanVaeConfig infer(Checkpoint ckpt) throws IOException {
        WanVaeConfig d = WanVaeConfig.WAN21;
        StoreWeights w = weights(ckpt, d);
        int dim = w.shape("decoder.head.0.gamma", 4).dim(0);
        int zDim = w.shape("conv2.weight", 5).dim(0);
        return new WanVaeConfig(dim, zDim, d.dimMult(), d.numResBlocks(), d.temporalDownsample());
    }

    /**
     * Loads the encoder at path onto the backend (the same files as {@link #load}: the official
     * checkpoint holds both halves); configFile may be null.
     */
    public static WanVaeEncoder loadEncoder(Path path, Path configFile, Backend be) throws IOException {
        return Checkpoint.load(path, ckpt -> {
            WanVaeConfig cfg = configFile != null ? WanVaeConfig.fromJson(configFile) : inferEncoder(ckpt);
            return WanVaeEncoder.load(weights(ckpt, cfg), be, cfg);
        });
    }

    /**
     * Wan 2.1's configuration with {@code dim} from the encoder's first convolution (3 -> dim) and
     * {@code z_dim} from {@code conv1} (2 z_dim x 2 z_dim), the encoder-side twin of {@link #infer}.
     */
    public static WanVaeConfig inferEncoder(Checkpoint ckpt) throws IOException {
        WanVaeConfig d = WanVaeConfig.WAN21;
        StoreWeights w = weights(ckpt, d);
        int dim = w.shape("encoder.conv1.weight", 5).dim(0);
        int zDim = w.shape("conv1.weight", 5).dim(0) / 2;
        return new WanVaeConfig(dim, zDim, d.dimMult(), d.numResBlocks(), d.temporalDownsample());
    }
}
