package dev.surf.models.vae.train;

import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.grad.Tape;
import dev.surf.core.grad.Variable;
import dev.surf.models.vae.LatentNormalization;
import dev.surf.models.vae.WanVaeConfig;

/**
 * The Wan-VAE encoder and decoder recorded on a {@link Tape} for training: the same computation as
 * {@code WanVaeEncoder.encode} and {@code WanVaeDecoder.decode} (raw, unclamped), over the same
 * parameters by official name ({@code encoder.*}, {@code conv1.*}, {@code conv2.*},
 * {@code decoder.*}), but the whole clip at once instead of chunk by chunk with a time cache (see
 * {@link TapedVaeModules} for why that is the same function for a clip of 1 + 4n frames).
 *
 * <p>The encoder returns the normalised mean (mu - mean) / std of the latent distribution, what the
 * DiT sees; the log-variance half of {@code conv1} is not computed (the inference encoder drops it
 * too), so it gets no gradient and training is a deterministic autoencoder, not a VAE with a KL term
 * (see docs/world-training.md, "Training the VAE").
 */
public final class VaeTrainForward {
    private final WanVaeConfig config;

    public VaeTrainForward(WanVaeConfig config) {
        if (config.zDim() != LatentNormalization.MEAN.length) {
            throw new IllegalArgumentException("the Wan 2.1 latent statistics cover " + LatentNormalization.MEAN.length
                    + " channels; this VAE has z_dim " + config.zDim());
        }
        this.config = config;
    }

    public WanVaeConfig config() {
        return config;
    }

    /**
     * Video x [3, 1 + 4n, H, W] F32 in [-1, 1] (H, W multiples of 8) to the normalised latent
     * mu [16, 1 + n, H/8, W/8], as WanVaeEncoder.encode.
     */
    public Variable encode(VaeTapeParams p, Variable x) {
        checkVideo(x);
        Tape tp = p.tape();
        int[] dims = config.encoderDims();
        int levels = dims.length - 1;
        Variable h = TapedVaeModules.causalConv(p, "encoder.conv1", x, 1);
        int index = 0;
        int in = dims[0];
        for (int level = 0; level < levels; level++) {
            int out = dims[level + 1];
            for (int r = 0; r < config.numResBlocks(); r++) {
                h = TapedVaeModules.residual(p, "encoder.downsamples." + index++, h, in != out);
                in = out;
            }
            if (level != levels - 1) {
                h = TapedVaeModules.downsample(p, "encoder.downsamples." + index++, h, config.temporalDownsample()[level]);
            }
        }
        h = TapedVaeModules.residual(p, "encoder.middle.0", h, false);
        h = TapedVaeModules.attention(p, "encoder.middle.1", h);
        h = TapedVaeModules.residual(p, "encoder.middle.2", h, false);
        h = TapedVaeModules.causalConv(p, "encoder.head.2", TapedVaeModules.normSilu(p, "encoder.head.0.gamma", h), 1);
        int z = config.zDim();
        // conv1 (1x1x1, 2z -> 2z): only output channels [0, z), the mean (the official chunk(2, dim=1))
        Variable muWeight = tp.narrow(p.get("conv1.weight"), 0, 0, z);
        Variable muBias = tp.narrow(p.get("conv1.bias"), 0, 0, z);
        Variable mu = tp.conv3d(h, muWeight, muBias, 0, 0, 0);
        // (mu - mean) * fp32(1/std), per channel, as the official encode
        float[] shift = new float[z];
        float[] scale = new float[z];
        for (int c = 0; c < z; c++) {
            shift[c] = -LatentNormalization.MEAN[c];
            scale[c] = 1f / LatentNormalization.STD[c];
        }
        return tp.mul(tp.add(mu, perChannel(tp, shift, mu.shape())), perChannel(tp, scale, mu.shape()));
    }

    /**
     * Normalised latent z [16, T, h, w] to the raw (unclamped) video [3, 1 + 4 (T - 1), 8h, 8w], as
     * WanVaeDecoder.decode(z, sink, false). Un-normalising multiplies by std where the official code
     * divides by fp32(1/std): the two differ by at most an ulp.
     */
    public Variable decode(VaeTapeParams p, Variable z) {
        Shape s = z.shape();
        if (s.rank() != 4 || s.dim(0) != config.zDim()) {
            throw new IllegalArgumentException("latent z must be [" + config.zDim() + ", T, h, w], got " + s);
        }
        Tape tp = p.tape();
        int zc = config.zDim();
        float[] scale = new float[zc];
        float[] shift = new float[zc];
        for (int c = 0; c < zc; c++) {
            scale[c] = LatentNormalization.STD[c];
            shift[c] = LatentNormalization.MEAN[c];
        }
        Variable u = tp.add(tp.mul(z, perChannel(tp, scale, s)), perChannel(tp, shift, s));
        Variable x = tp.conv3d(u, p.get("conv2.weight"), p.get("conv2.bias"), 0, 0, 0);
        int[] dims = config.decoderDims();
        int levels = dims.length - 1;
        Variable h = TapedVaeModules.causalConv(p, "decoder.conv1", x, 1);
        h = TapedVaeModules.residual(p, "decoder.middle.0", h, false);
        h = TapedVaeModules.attention(p, "decoder.middle.1", h);
        h = TapedVaeModules.residual(p, "decoder.middle.2", h, false);
        int index = 0;
        int in = dims[0];
        for (int level = 0; level < levels; level++) {
            int out = dims[level + 1];
            for (int r = 0; r <= config.numResBlocks(); r++) {
                h = TapedVaeModules.residual(p, "decoder.upsamples." + index++, h, in != out);
                in = out;
            }
            if (level != levels - 1) {
                h = TapedVaeModules.upsample(p, "decoder.upsamples." + index++, h, config.temporalUpsample(level));
                in = out / 2;
            }
        }
        return TapedVaeModules.causalConv(p, "decoder.head.2", TapedVaeModules.normSilu(p, "decoder.head.0.gamma", h), 1);
    }

    /** A constant of the given shape [C, ...] holding values[c] across channel c. */
    private static Variable perChannel(Tape tp, float[] values, Shape shape) {
        int per = (int) (shape.numel() / shape.dim(0));
        float[] full = new float[(int) shape.numel()];
        for (int c = 0; c < values.length; c++) {
            java.util.Arrays.fill(full, c * per, (c + 1) * per, values[c]);
        }
        Backend be = tp.backend();
        return tp.ownedConstant(be.fromFloats(full, shape));
    }

    private void checkVideo(Variable x) {
        Shape s = x.shape();
        int st = config.spaceStride();
        if (s.rank() != 4 || s.dim(0) != 3 || s.dim(2) % st != 0 || s.dim(3) % st != 0 || s.dim(2) < st || s.dim(3) < st
                || (s.dim(1) - 1) % config.timeStride() != 0 || s.dim(1) < 1) {
            throw new IllegalArgumentException("video must be [3, 1 + " + config.timeStride() + "k, H, W] with H and W positive"
                    + " multiples of " + st + ", got " + s);
        }
        if (x.value().dtype() != DType.F32) {
            throw new IllegalArgumentException("the training forward takes an F32 video, got " + x.value().dtype());
        }
    }
}
