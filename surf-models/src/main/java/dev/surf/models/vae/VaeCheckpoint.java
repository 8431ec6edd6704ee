package dev.surf.models.vae;

import dev.surf.core.Backend;
import dev.surf.core.safetensors.WeightFormat;
import dev.surf.core.weights.TensorArchive;
import dev.surf.core.weights.WeightFiles;
import dev.surf.models.weights.StoreWeights;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Opens a Wan-VAE checkpoint: the official {@code Wan2.1_VAE.pth} read directly, a safetensors repack
 * with official names, or a diffusers {@code AutoencoderKLWan} folder or file. The configuration is an
 * explicit JSON file when given, else Wan 2.1's with the widths read from the weight shapes (so the
 * tiny test VAE opens too).
 */
public final class VaeCheckpoint {
    private VaeCheckpoint() {
    }

    /** Loads the decoder at path onto the backend; configFile may be null. */
    public static WanVaeDecoder load(Path path, Path configFile, Backend be) throws IOException {
        TensorArchive archive = WeightFiles.open(path);
        WanVaeConfig cfg;
        try {
            cfg = configFile != null ? WanVaeConfig.fromJson(configFile) : infer(archive);
        } catch (IOException | RuntimeException e) {
            archive.close();
            throw e;
        }
        return WanVaeDecoder.load(new StoreWeights(archive, true, VaeKeys.toDiffusers(cfg)), be, cfg);
    }

    /**
     * Wan 2.1's configuration with {@code dim} and {@code z_dim} taken from the shapes of the head norm
     * (dim channels, as dim_mult starts with 1) and of conv2 (z_dim x z_dim).
     */
    public static WanVaeConfig infer(TensorArchive archive) throws IOException {
        boolean diffusers = WeightFormat.detect(archive.names()) == WeightFormat.DIFFUSERS;
        String head = diffusers ? "decoder.norm_out.gamma" : "decoder.head.0.gamma";
        String conv2 = diffusers ? "post_quant_conv.weight" : "conv2.weight";
        if (!archive.has(head) || !archive.has(conv2)) {
            throw new IOException(archive.path() + " has no " + head + " / " + conv2 + ": is this a Wan VAE checkpoint?"
                    + " (it holds " + archive.names().size() + " tensors in " + WeightFormat.detect(archive.names()).label()
                    + " naming)");
        }
        WanVaeConfig d = WanVaeConfig.WAN21;
        int dim = archive.info(head).shape().dim(0);
        int zDim = archive.info(conv2).shape().dim(0);
        return new WanVaeConfig(dim, zDim, d.dimMult(), d.numResBlocks(), d.temporalDownsample());
    }
}
