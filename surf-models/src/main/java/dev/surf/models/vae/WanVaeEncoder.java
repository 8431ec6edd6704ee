package dev.surf.models.vae;

import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.models.weights.WeightSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The Wan-VAE encoder ({@code WanVAE.encode} of wan/modules/vae.py, spec/wan21.md §4.6) on
 * {@link Backend}: video [3, 1 + 4k, H, W] in [-1, 1] to normalised latent means
 * mu [16, 1 + k, H/8, W/8], what the official encode returns and the DiT works on.
 *
 * <p>Encoding streams exactly as the official code does: the first frame alone, then 4 frames at a
 * time, through {@code Encoder3d} with one shared time cache; each chunk's output goes through
 * {@code conv1} (1x1x1; only its mean half is computed, the log-variance half is never used) and is
 * normalised as (mu - mean) * fp32(1/std). Only the caches and one chunk's activations are alive,
 * so memory is flat in the number of frames; a {@link Stream} takes the chunks one by one, so the
 * video itself need never be held whole.
 *
 * <p>Thread-safety: a loaded encoder is immutable; each stream has its own cache.
 */
public final class WanVaeEncoder implements AutoCloseable {
    private final WanVaeConfig config;
    private final Backend be;
    private final VaeWeights weights;
    private final Tensor muWeight;
    private final Tensor muBias;
    private final Encoder3d encoder;

    private WanVaeEncoder(WeightSource source, Backend be, WanVaeConfig config) throws IOException {
        if (config.zDim() != LatentNormalization.MEAN.length) {
            throw new IllegalArgumentException("the Wan 2.1 latent statistics cover " + LatentNormalization.MEAN.length
                    + " channels; this VAE has z_dim " + config.zDim());
        }
        this.config = config;
        this.be = be;
        this.weights = new VaeWeights(source, be);
        try {
            int z2 = 2 * config.zDim();
            Tensor conv1 = weights.get("conv1.weight", Shape.of(z2, z2, 1, 1, 1));
            Tensor conv1Bias = weights.get("conv1.bias", Shape.of(z2));
            // output channels [0, z) are mu (the official chunk(2, dim=1)); a row slice is a view
            muWeight = conv1.slice(0, config.zDim());
            muBias = conv1Bias.slice(0, config.zDim());
            encoder = new Encoder3d(be, weights, config);
        } catch (IOException | RuntimeException e) {
            weights.close();
            source.close();
            throw e;
        }
    }

    /**
     * Builds the encoder from {@code encoder.*} and {@code conv1.*} (official names; the decoder's
     * keys are ignored). The encoder owns the source and closes it with itself.
     */
    public static WanVaeEncoder load(WeightSource source, Backend be, WanVaeConfig config) throws IOException {
        return new WanVaeEncoder(source, be, config);
    }

    public WanVaeConfig config() {
        return config;
    }

    public Backend backend() {
        return be;
    }

    /** Where the parameters came from. */
    public WeightSource weights() {
        return weights.source();
    }

    /**
     * Encodes a whole video [3, 1 + 4k, H, W] (any floating dtype; H and W multiples of 8) to
     * mu [16, 1 + k, H/8, W/8] F32.
     *
     * @throws IllegalArgumentException when the video has another shape
     */
    public Tensor encode(Tensor video) {
        checkVideo(video);
        int t = video.dim(1);
        int stride = config.timeStride();
        List<Tensor> parts = new ArrayList<>();
        try (Stream s = stream()) {
            for (int first = 0; first < t; first += first == 0 ? 1 : stride) {
                try (Tensor chunk = be.narrow(video, 1, first, first == 0 ? 1 : stride)) {
                    parts.add(s.push(chunk));
                }
            }
            return parts.size() == 1 ? parts.remove(0) : be.concat(1, parts.toArray(Tensor[]::new));
        } finally {
            for (Tensor p : parts) {
                p.close();
            }
        }
    }

    /** A new streaming encode: push the first frame, then 4 frames at a time. */
    public Stream stream() {
        return new Stream();
    }

    /** The state of one streaming encode (its time cache); close it when done. */
    public final class Stream implements AutoCloseable {
        private final TimeCache cache = new TimeCache(weights.slotCount());
        private int pushed;
        private int height = -1;
        private int width = -1;

        private Stream() {
        }

        /**
         * Encodes the next chunk [3, n, H, W]: n = 1 for the first push, timeStride (4) after, with the
         * same H and W (multiples of 8) every time. Returns its latent frames [16, 1, H/8, W/8], F32,
         * normalised; the caller owns the result, the chunk stays the caller's.
         */
        public Tensor push(Tensor chunk) {
            int expected = pushed == 0 ? 1 : config.timeStride();
            checkFrames(chunk, "chunk");
            if (chunk.dim(1) != expected) {
                throw new IllegalArgumentException("encoder chunk " + pushed + " must hold " + expected + " frames (the"
                        + " first frame alone, then " + config.timeStride() + " at a time), got " + chunk.dim(1));
            }
            if (pushed > 0 && (chunk.dim(2) != height || chunk.dim(3) != width)) {
                throw new IllegalArgumentException("encoder chunk " + pushed + " is " + chunk.dim(3) + "x" + chunk.dim(2)
                        + " but the stream started at " + width + "x" + height);
            }
            height = chunk.dim(2);
            width = chunk.dim(3);
            pushed++;
            try (Tensor f32 = chunk.dtype() == DType.F32 ? null : be.convert(chunk, DType.F32);
                 Tensor h = encoder.apply(be, f32 != null ? f32 : chunk, cache);
                 Tensor mu = be.conv3d(h, muWeight, muBias, 0, 0, 0)) {
                float[] v = be.toFloats(mu);
                LatentNormalization.normalize(v, v.length / config.zDim());
                return be.fromFloats(v, mu.shape());
            }
        }

        @Override
        public void close() {
            cache.close();
        }
    }

    private void checkVideo(Tensor video) {
        checkFrames(video, "video");
        int t = video.dim(1);
        if ((t - 1) % config.timeStride() != 0) {
            throw new IllegalArgumentException("video must have 1 + " + config.timeStride() + "k frames (1, 5, 9, ..., 81),"
                    + " got " + t + " (trim or pad it first)");
        }
    }

    private void checkFrames(Tensor x, String what) {
        int s = config.spaceStride();
        if (x.rank() != 4 || x.dim(0) != 3 || x.dim(1) < 1 || x.dim(2) < s || x.dim(3) < s
                || x.dim(2) % s != 0 || x.dim(3) % s != 0) {
            throw new IllegalArgumentException(what + " must be [3, T, H, W] with H and W positive multiples of " + s
                    + ", got " + x.shape());
        }
        if (!x.dtype().isFloating()) {
            throw new IllegalArgumentException(what + " must be floating point, got " + x.dtype());
        }
    }

    @Override
    public void close() {
        weights.close();
        weights.source().close();
    }
}
