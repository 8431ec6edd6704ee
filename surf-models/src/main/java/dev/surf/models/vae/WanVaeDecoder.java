package dev.surf.models.vae;

import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.models.weights.WeightSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The Wan-VAE decoder ({@code WanVAE.decode} of wan/modules/vae.py, spec/wan21.md §4.4) on
 * {@link Backend}: normalised latents z [16, T, h, w] to video [3, 1 + 4 (T - 1), 8h, 8w] in [-1, 1].
 *
 * <p>Decoding streams exactly as the official code does: latent frame i is un-normalised
 * (z / fp32(1/std) + mean), passed through {@code conv2} (1x1x1) and then through the decoder with a
 * shared time cache; the first frame yields one video frame, every later one four. Only the caches
 * (two frames per causal convolution) and one chunk's activations are alive at any time, so memory
 * does not grow with T; frames go to a {@link FrameSink} as soon as they exist.
 *
 * <p>Thread-safety: a loaded decoder is immutable; each decode has its own cache, so concurrent
 * decodes are safe on a thread-safe backend.
 */
public final class WanVaeDecoder implements AutoCloseable {
    private final WanVaeConfig config;
    private final Backend be;
    private final VaeWeights weights;
    private final Tensor conv2;
    private final Tensor conv2Bias;
    private final Decoder3d decoder;

    private WanVaeDecoder(WeightSource source, Backend be, WanVaeConfig config) throws IOException {
        if (config.zDim() != LatentNormalization.MEAN.length) {
            throw new IllegalArgumentException("the Wan 2.1 latent statistics cover " + LatentNormalization.MEAN.length
                    + " channels; this VAE has z_dim " + config.zDim());
        }
        this.config = config;
        this.be = be;
        this.weights = new VaeWeights(source, be);
        try {
            conv2 = weights.get("conv2.weight", Shape.of(config.zDim(), config.zDim(), 1, 1, 1));
            conv2Bias = weights.get("conv2.bias", Shape.of(config.zDim()));
            decoder = new Decoder3d(weights, config);
        } catch (IOException | RuntimeException e) {
            weights.close();
            source.close();
            throw e;
        }
    }

    /**
     * Builds the decoder from {@code decoder.*} and {@code conv2.*} (official names; other keys, e.g.
     * the encoder's, are ignored). The decoder owns the source and closes it with itself: CPU weights
     * may borrow a checkpoint's mapped memory.
     */
    public static WanVaeDecoder load(WeightSource source, Backend be, WanVaeConfig config) throws IOException {
        return new WanVaeDecoder(source, be, config);
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

    /** Decodes z, delivering frames clamped to [-1, 1] (the official output). */
    public void decode(Tensor z, FrameSink sink) throws IOException {
        decode(z, sink, true);
    }

    /**
     * Decodes z [z_dim, T, h, w] (any floating dtype) chunk by chunk into sink; {@code clamp = false}
     * delivers the raw decoder output (the official value before {@code clamp_(-1, 1)}).
     *
     * @throws IllegalArgumentException when z is not [z_dim, T, h, w] with T, h, w >= 1
     * @throws IOException              what the sink throws
     */
    public void decode(Tensor z, FrameSink sink, boolean clamp) throws IOException {
        checkLatent(z);
        int t = z.dim(1);
        int h = z.dim(2);
        int w = z.dim(3);
        int c = config.zDim();
        int frame = 0;
        try (TimeCache cache = new TimeCache(weights.slotCount())) {
            for (int i = 0; i < t; i++) {
                Tensor x;
                try (Tensor zi = be.narrow(z, 1, i, 1)) {
                    float[] v = be.toFloats(zi);
                    LatentNormalization.unnormalize(v, h * w);
                    try (Tensor u = be.fromFloats(v, Shape.of(c, 1, h, w))) {
                        x = be.conv3d(u, conv2, conv2Bias, 0, 0, 0);
                    }
                }
                Tensor out;
                try (x) {
                    out = decoder.apply(be, x, cache);
                }
                try (Tensor o = out; Tensor delivered = clamp ? be.clamp(o, -1f, 1f) : null) {
                    Tensor f = delivered != null ? delivered : o;
                    sink.accept(f, frame);
                    frame += f.dim(1);
                }
            }
        }
    }

    /**
     * Decodes the whole video into one tensor [3, 1 + 4 (T - 1), 8h, 8w] (clamped unless raw). Holds
     * every frame: use {@link #decode(Tensor, FrameSink)} to stream long videos.
     */
    public Tensor decodeAll(Tensor z, boolean clamp) {
        List<Tensor> parts = new ArrayList<>();
        try {
            decode(z, (frames, first) -> parts.add(be.convert(frames, DType.F32)), clamp);
            return parts.size() == 1 ? parts.remove(0) : be.concat(1, parts.toArray(Tensor[]::new));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (Tensor p : parts) {
                p.close();
            }
        }
    }

    private void checkLatent(Tensor z) {
        if (z.rank() != 4 || z.dim(0) != config.zDim() || z.dim(1) < 1 || z.dim(2) < 1 || z.dim(3) < 1) {
            throw new IllegalArgumentException("latent z must be [" + config.zDim() + ", T, h, w] with T, h, w >= 1, got "
                    + z.shape());
        }
        if (!z.dtype().isFloating()) {
            throw new IllegalArgumentException("latent z must be floating point, got " + z.dtype());
        }
    }

    @Override
    public void close() {
        weights.close();
        weights.source().close();
    }
}
