package dev.surf.models.refiner.train;

import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.ResizeMode;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.safetensors.SafetensorsFile;
import dev.surf.core.safetensors.SafetensorsWriter;
import dev.surf.models.api.TextEmbedding;
import dev.surf.models.train.TrainingData;
import dev.surf.models.vae.WanVaeEncoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The Refiner's training pairs (SURF §3.3): per clip the HR latent {@code z_hr = encode(HR)} and the
 * LR latent {@code z_lr = Upscale(encode(degrade(HR)) + n)}, with n Gaussian latent noise of std
 * {@code latentNoise} (the latent-level degradation) and Upscale the pipeline's bilinear latent
 * upscale to the HR latent size ({@code Backend.resize(.., BILINEAR)}, as the refine stage does).
 * An example is {@code (latent = z_hr, context = caption embedding, source = z_lr)}: the flow-mapping
 * example of {@link dev.surf.models.train.FlowMatchingTrainer}.
 *
 * <p>Caching: both latents of a clip are kept in memory after the first encode, and z_hr is also
 * written to {@code cacheDir} (one safetensors per clip, written atomically) and read back by a later
 * run whose source, frames, HR size and VAE are the same. z_lr is recomputed per run: it depends on
 * the degradation seed.
 *
 * <p>Progressive frame counts: clips are encoded at their full length F; {@link #useFrames} makes
 * {@link #get} return the first {@code 1 + (f - 1) / 4} latent frames of each, which is the latent of
 * the first f frames because the Wan-VAE encoder is causal in time (RefinerDataTest checks it).
 *
 * <p>Randomness: the degradation of clip number k (its position in the scanned folder) is
 * {@code degrader.degrade(.., k)} and its latent noise the Philox stream {@code (seed, NOISE_STREAM + k)},
 * so the pairs are a function of the folder, the seed and the VAE.
 */
public final class RefinerData implements TrainingData {
    /** Philox offset of clip 0's latent noise. */
    public static final long NOISE_STREAM = 1L << 40;

    /**
     * Sizes and seeds of the pairs.
     *
     * @param hrWidth     HR frame width (a multiple of 16)
     * @param hrHeight    HR frame height
     * @param lrWidth     LR frame width (a multiple of 8: the VAE's stride)
     * @param lrHeight    LR frame height
     * @param latentNoise std of the Gaussian noise added to the LR latent (0 = none)
     * @param seed        seed of the latent noise
     */
    public record Settings(int hrWidth, int hrHeight, int lrWidth, int lrHeight, double latentNoise, long seed) {
        public Settings {
            if (hrWidth < 16 || hrHeight < 16 || hrWidth % 16 != 0 || hrHeight % 16 != 0) {
                throw new IllegalArgumentException("--hr " + hrWidth + "x" + hrHeight + ": width and height must be positive multiples of 16");
            }
            if (lrWidth < 8 || lrHeight < 8 || lrWidth % 8 != 0 || lrHeight % 8 != 0) {
                throw new IllegalArgumentException("--lr-size " + lrWidth + "x" + lrHeight + ": width and height must be positive multiples of 8");
            }
            if (lrWidth > hrWidth || lrHeight > hrHeight) {
                throw new IllegalArgumentException("--lr-size " + lrWidth + "x" + lrHeight + " must not be larger than --hr "
                        + hrWidth + "x" + hrHeight);
            }
            if (!(latentNoise >= 0) || Double.isInfinite(latentNoise)) {
                throw new IllegalArgumentException("latent noise std must be >= 0 and finite, got " + latentNoise);
            }
        }
    }

    /** One clip's latents on the host: z_hr and z_lr, both [16, T, hrHeight/8, hrWidth/8]. */
    public record Pair(float[] hr, float[] lr, Shape shape) {
    }

    private final List<TrainingClips.Clip> clips;
    private final int[] numbers;
    private final WanVaeEncoder vae;
    private final ClipDegrader degrader;
    private final Settings settings;
    private final Path cacheDir;
    private final String ffmpeg;
    private final Function<String, TextEmbedding> captions;
    private final Map<Integer, Pair> pairs = new HashMap<>();
    private final Map<String, TextEmbedding> contexts = new HashMap<>();
    private int frames;
    private int encodes;

    /**
     * @param clips    the clips (all of the same length, 1 + 4n frames)
     * @param numbers  each clip's number in the scanned folder (seeds its degradation and noise)
     * @param captions a caption's embedding [n, text_dim] (the empty caption included)
     * @param cacheDir where z_hr files go, or null for the memory cache only
     */
    public RefinerData(List<TrainingClips.Clip> clips, int[] numbers, WanVaeEncoder vae, ClipDegrader degrader, Settings settings,
                       Path cacheDir, String ffmpeg, Function<String, TextEmbedding> captions) {
        if (clips.isEmpty() || clips.size() != numbers.length) {
            throw new IllegalArgumentException("Refiner data: " + clips.size() + " clips with " + numbers.length + " numbers");
        }
        this.clips = List.copyOf(clips);
        this.numbers = numbers.clone();
        this.vae = vae;
        this.degrader = degrader;
        this.settings = settings;
        this.cacheDir = cacheDir;
        this.ffmpeg = ffmpeg;
        this.captions = captions;
        this.frames = clips.get(0).frames();
    }

    @Override
    public int size() {
        return clips.size();
    }

    /** The clip length {@link #get} serves from now on: 1 + 4n, at most the clips' length. */
    public void useFrames(int f) {
        int max = clips.get(0).frames();
        if (f < 1 || (f - 1) % 4 != 0 || f > max) {
            throw new IllegalArgumentException("--frames " + f + ": a stage takes 1 + 4n frames, at most the clips' " + max);
        }
        frames = f;
    }

    /** The sizes and seeds of the pairs. */
    public Settings settings() {
        return settings;
    }

    /** The clip length served now. */
    public int frames() {
        return frames;
    }

    /** The clip behind index. */
    public TrainingClips.Clip clip(int index) {
        return clips.get(index);
    }

    /** How many HR clips were VAE-encoded by this object (z_hr read from the disk cache does not count). */
    public int encodes() {
        return encodes;
    }

    @Override
    public Example get(int index, Backend be) {
        Pair p = pair(index);
        int lf = 1 + (frames - 1) / 4;
        Tensor hr = null;
        Tensor lr = null;
        Tensor ctx = null;
        try {
            hr = narrowFrames(be, p.hr(), p.shape(), lf);
            lr = narrowFrames(be, p.lr(), p.shape(), lf);
            ctx = context(clips.get(index).caption()).upload(be);
            return new Example(hr, ctx, lr);
        } catch (RuntimeException e) {
            for (Tensor t : new Tensor[] {hr, lr, ctx}) {
                if (t != null) {
                    t.close();
                }
            }
            throw e;
        }
    }

    /** The caption's embedding (computed once per distinct caption). */
    public TextEmbedding context(String caption) {
        return contexts.computeIfAbsent(caption, captions);
    }

    /** Both latents of the clip at its full length (encoded on first use, then from memory). */
    public Pair pair(int index) {
        Pair p = pairs.get(index);
        if (p == null) {
            try {
                p = encodePair(index);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            pairs.put(index, p);
        }
        return p;
    }

    /** The clip's HR frames [3, F, H, W] (read again from its source). */
    public float[] hrPixels(int index) throws IOException {
        return TrainingClips.read(clips.get(index), settings.hrWidth(), settings.hrHeight(), ffmpeg);
    }

    /** The clip's degraded LR frames [3, F, lrHeight, lrWidth]. */
    public float[] lrPixels(int index, float[] hr) {
        TrainingClips.Clip c = clips.get(index);
        return degrader.degrade(hr, c.frames(), settings.hrHeight(), settings.hrWidth(), settings.lrHeight(), settings.lrWidth(),
                numbers[index]);
    }

    private Pair encodePair(int index) throws IOException {
        Backend be = vae.backend();
        TrainingClips.Clip c = clips.get(index);
        float[] hrPix = null;
        float[] zHr = readCache(c);
        Shape shape;
        if (zHr == null) {
            hrPix = hrPixels(index);
            zHr = encode(be, hrPix, c.frames(), settings.hrHeight(), settings.hrWidth());
            encodes++;
            writeCache(c, zHr);
        }
        shape = Shape.of(vae.config().zDim(), vae.config().latentFrames(c.frames()), settings.hrHeight() / 8, settings.hrWidth() / 8);
        if (hrPix == null) {
            hrPix = hrPixels(index);
        }
        float[] lrPix = lrPixels(index, hrPix);
        float[] zLr = encode(be, lrPix, c.frames(), settings.lrHeight(), settings.lrWidth());
        Shape lrShape = Shape.of(shape.dim(0), shape.dim(1), settings.lrHeight() / 8, settings.lrWidth() / 8);
        try (Tensor small = be.fromFloats(zLr, lrShape)) {
            if (settings.latentNoise() > 0) {
                try (Tensor n = be.empty(DType.F32, lrShape)) {
                    be.fillNormal(n, settings.seed(), NOISE_STREAM + numbers[index]);
                    be.combineInto(small, new float[] {1f, (float) settings.latentNoise()}, small, n);
                }
            }
            try (Tensor up = be.resize(small, shape.dim(2), shape.dim(3), ResizeMode.BILINEAR)) {
                zLr = be.toFloats(up);
            }
        }
        return new Pair(zHr, zLr, shape);
    }

    private float[] encode(Backend be, float[] pixels, int f, int h, int w) {
        try (Tensor video = be.fromFloats(pixels, Shape.of(3, f, h, w)); Tensor mu = vae.encode(video)) {
            return be.toFloats(mu);
        }
    }

    private static Tensor narrowFrames(Backend be, float[] data, Shape shape, int lf) {
        try (Tensor full = be.fromFloats(data, shape)) {
            return lf == shape.dim(1) ? be.convert(full, DType.F32) : be.narrow(full, 1, 0, lf);
        }
    }

    // ---------------------------------------------------------------- the z_hr cache on disk

    private Path cacheFile(TrainingClips.Clip c) {
        String name = c.source().getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "_");
        return cacheDir.resolve(name + "-" + c.first() + "-" + c.frames() + "f-" + settings.hrWidth() + "x" + settings.hrHeight()
                + ".safetensors");
    }

    private Map<String, String> cacheKey(TrainingClips.Clip c) {
        return Map.of("source", c.source().toAbsolutePath().toString(), "first", Integer.toString(c.first()),
                "frames", Integer.toString(c.frames()), "hr", settings.hrWidth() + "x" + settings.hrHeight(),
                "vae", vae.weights().describe() + " " + vae.config());
    }

    /** The cached z_hr of the clip, or null when there is none or it belongs to other inputs. */
    private float[] readCache(TrainingClips.Clip c) throws IOException {
        if (cacheDir == null || !Files.isRegularFile(cacheFile(c))) {
            return null;
        }
        try (SafetensorsFile f = SafetensorsFile.open(cacheFile(c))) {
            if (!f.metadata().entrySet().containsAll(cacheKey(c).entrySet()) || !f.has("z_hr")) {
                return null;
            }
            Backend be = vae.backend();
            try (Tensor t = f.read(be, "z_hr")) {
                return be.toFloats(t);
            }
        }
    }

    private void writeCache(TrainingClips.Clip c, float[] zHr) throws IOException {
        if (cacheDir == null) {
            return;
        }
        Files.createDirectories(cacheDir);
        Shape shape = Shape.of(vae.config().zDim(), vae.config().latentFrames(c.frames()), settings.hrHeight() / 8, settings.hrWidth() / 8);
        SafetensorsWriter.writeFloats(cacheFile(c), Map.of("z_hr", zHr), Map.of("z_hr", shape), cacheKey(c));
    }
}
