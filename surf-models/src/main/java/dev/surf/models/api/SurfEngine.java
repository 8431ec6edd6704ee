package dev.surf.models.api;

import dev.surf.core.Backend;
import dev.surf.core.BackendOptions;
import dev.surf.core.Backends;
import dev.surf.core.DType;
import dev.surf.core.Tensor;
import dev.surf.models.flops.FlopModel;
import dev.surf.models.flops.ForwardFlops;
import dev.surf.models.pipeline.Conditioning;
import dev.surf.models.pipeline.ModelRole;
import dev.surf.models.pipeline.PricedPlan;
import dev.surf.models.pipeline.Preview;
import dev.surf.models.pipeline.ProgressListener;
import dev.surf.models.pipeline.StagePlan;
import dev.surf.models.pipeline.SurfPipeline;
import dev.surf.models.refiner.Refiner;
import dev.surf.models.refiner.RefinerConfig;
import dev.surf.models.t5.TextEncoder;
import dev.surf.models.vae.VaeCheckpoint;
import dev.surf.models.vae.WanVaeDecoder;
import dev.surf.models.video.FfmpegMp4Writer;
import dev.surf.models.video.VideoOutput;
import dev.surf.models.wan.WanCheckpoint;
import dev.surf.models.wan.WanConfig;
import dev.surf.models.wan.WanConfigSource;
import dev.surf.models.wan.WanModel;
import dev.surf.models.weights.RandomWeights;
import dev.surf.models.world.text.WorldTextEncoder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.BooleanSupplier;

/**
 * The engine's entry point for applications: models load once, generations run against them.
 *
 * <pre>{@code
 * try (SurfEngine engine = SurfEngine.builder().tinyModels().device("cpu").build()) {
 *     GenerationResult r = engine.generate(request, ProgressListener.NONE, () -> false);
 * }
 * }</pre>
 *
 * <p>Thread-safety: an engine may be shared; generations on it run one at a time in submission order
 * (they would contend for the same device anyway), each with its own state.
 */
public final class SurfEngine implements AutoCloseable {
    private final Backend be;
    private final Map<ModelRole, WanModel> models;
    private final Map<ModelRole, WanConfigSource> configSources;
    private final SurfPipeline pipeline;
    private final WanModel base;
    private final WanVaeDecoder vae;
    private final PromptEncoder textEncoder;
    private final boolean tiny;
    private final boolean trainingFree;
    private final ReentrantLock lock = new ReentrantLock(true);

    private SurfEngine(Backend be, Map<ModelRole, WanModel> models, Map<ModelRole, WanConfigSource> configSources,
                       WanVaeDecoder vae, PromptEncoder textEncoder, boolean tiny, boolean trainingFree) {
        this.be = be;
        this.models = Collections.unmodifiableMap(new EnumMap<>(models));
        this.configSources = Collections.unmodifiableMap(configSources);
        this.pipeline = new SurfPipeline(be, models);
        this.base = models.get(ModelRole.BASE);
        this.vae = vae;
        this.textEncoder = textEncoder;
        this.tiny = tiny;
        this.trainingFree = trainingFree;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Which model refines, as the builder was told. */
    private enum RefineBy {
        /** Tiny models: the tiny random Refiner; a real base model: the training-free refine with it. */
        DEFAULT,
        /** Refiner weights from a file. */
        WEIGHTS,
        /** A randomly initialised Refiner. */
        RANDOM,
        /** The training-free refine with the base model's weights. */
        BASE,
        /** The training-free refine with another Wan DiT checkpoint's weights. */
        DIT,
        /** No refine stage. */
        NONE
    }

    /**
     * How to build an engine; defaults: device "auto", the embedded tiny models when no model is given.
     *
     * <p>The refine stage: with a real base model and no Refiner weights, the base model refines
     * training-free ({@link #refineWithBase}, the default); Refiner weights ({@link #refiner}), a
     * random Refiner ({@link #randomRefiner}, loudly flagged) or another Wan DiT ({@link #refineWithDit})
     * only when asked for. The embedded tiny demo keeps its tiny random Refiner, so the demo runs the
     * windowed Refiner's code path (both of its models are random anyway).
     */
    public static final class Builder {
        private String device = "auto";
        private Path model;
        private Path config;
        private Path smallModel;
        private Path refinerPath;
        private RefinerConfig refinerConfig;
        private Long refinerSeed;
        private RefineBy refineBy = RefineBy.DEFAULT;
        private Path vaePath;
        private boolean tinyVae;
        private boolean worldText;
        private BackendOptions backendOptions = BackendOptions.DEFAULT;
        private Path t5Path;
        private Path tokenizerPath;

        private Builder() {
        }

        /** The Wan-VAE (Wan2.1_VAE.pth, or a safetensors repack in official or diffusers naming) for video output. */
        public Builder vae(Path path) {
            this.vaePath = path;
            return this;
        }

        /**
         * The umT5 text encoder ({@code models_t5_umt5-xxl-enc-bf16.pth}, or a safetensors file or folder in
         * official or transformers naming) and the tokenizer folder ({@code google/umt5-xxl}, holding
         * tokenizer.json), so prompts can be encoded with {@link #encodeText}.
         */
        public Builder textEncoder(Path t5, Path tokenizerDir) {
            this.t5Path = t5;
            this.tokenizerPath = tokenizerDir;
            return this;
        }

        /**
         * The small world's text encoder ({@link WorldTextEncoder}: word-level, the world's prompt grammar)
         * instead of umT5, for models trained on the world by {@code surf train-dit}.
         */
        public Builder worldTextEncoder() {
            this.worldText = true;
            return this;
        }

        /** With the tiny models: a tiny random VAE so the whole path to a video file runs (noise in, noise out). */
        public Builder tinyVae() {
            this.tinyVae = true;
            return this;
        }

        /** "auto", "cpu", "cpu:THREADS", "cuda", "cuda:INDEX". */
        public Builder device(String spec) {
            this.device = spec;
            return this;
        }

        /**
         * The type matrix products and attention compute in: BF16 (CUDA's default, the official
         * precision) or F32 (the CPU's only type; on CUDA a slower, more precise mode). Null: the device's default.
         */
        public Builder dtype(DType type) {
            this.backendOptions = backendOptions.withActivation(type);
            return this;
        }

        /**
         * Caps the device memory the engine holds, in bytes: CUDA devices apply it ({@link BackendOptions});
         * on the CPU the JVM heap (-Xmx) is the limit and {@link #build} says so. A generation that needs
         * more fails with a message naming the cap.
         */
        public Builder memoryLimit(long bytes) {
            this.backendOptions = backendOptions.withMemoryLimit(bytes);
            return this;
        }

        /** The base Wan DiT checkpoint (file or folder); without one the embedded tiny model is used. */
        public Builder model(Path path) {
            this.model = path;
            return this;
        }

        /** config.json of the base model (default: beside the weights, else inferred). */
        public Builder config(Path path) {
            this.config = path;
            return this;
        }

        /** A second model of the same latent space for the {@link ModelRole#SMALL} segments (SRDiffusion; {@link GenerationRequest#smallFrom}). */
        public Builder smallModel(Path path) {
            this.smallModel = path;
            return this;
        }

        /** Refiner weights (official Wan key names) with their config. */
        public Builder refiner(Path path, RefinerConfig cfg) {
            this.refinerPath = path;
            this.refinerConfig = cfg;
            this.refineBy = RefineBy.WEIGHTS;
            return this;
        }

        /** A randomly initialised Refiner (no trained one is published): speed work and demos only. */
        public Builder randomRefiner(long seed, RefinerConfig cfg) {
            this.refinerSeed = seed;
            this.refinerConfig = cfg;
            this.refineBy = RefineBy.RANDOM;
            return this;
        }

        /**
         * Refine training-free with the base model's own weights (no Refiner is loaded): requests then
         * take {@link RefineOptions#fromBase} options ({@link SurfEngine#refineTo} makes them). The
         * default when a real base model is given and no Refiner is asked for.
         */
        public Builder refineWithBase() {
            this.refinerPath = null;
            this.refineBy = RefineBy.BASE;
            return this;
        }

        /**
         * Refine training-free (as {@link #refineWithBase}) with the weights of another Wan DiT
         * checkpoint of the same latent space (e.g. Wan 2.1 1.3B under a 14B base), loaded as the
         * {@link ModelRole#REFINER} with its config inferred as for the base.
         */
        public Builder refineWithDit(Path checkpoint) {
            this.refinerPath = checkpoint;
            this.refineBy = RefineBy.DIT;
            return this;
        }

        /** Load no Refiner: previews only. */
        public Builder noRefiner() {
            this.refineBy = RefineBy.NONE;
            return this;
        }

        /** Use the embedded tiny base model and tiny Refiner (the default when no model is given). */
        public Builder tinyModels() {
            this.model = null;
            return this;
        }

        /**
         * Opens the device and loads every model asked for; if anything fails, what was already
         * opened is released before the error propagates.
         */
        public SurfEngine build() throws IOException {
            Backend be = Backends.open(device, backendOptions);
            List<AutoCloseable> opened = new ArrayList<>();
            try {
                boolean tiny = model == null;
                Map<ModelRole, WanModel> models = new EnumMap<>(ModelRole.class);
                Map<ModelRole, WanConfigSource> sources = new EnumMap<>(ModelRole.class);
                WanModel base = tiny ? WanModel.load(new RandomWeights(TinyModels.BASE_SEED), be, TinyModels.BASE)
                        : WanCheckpoint.load(model, config, be, c -> sources.put(ModelRole.BASE, c));
                opened.add(base);
                models.put(ModelRole.BASE, base);
                if (smallModel != null) {
                    WanModel small = WanCheckpoint.load(smallModel, null, be, c -> sources.put(ModelRole.SMALL, c));
                    opened.add(small);
                    models.put(ModelRole.SMALL, small);
                }
                RefineBy by = refineBy == RefineBy.DEFAULT ? (tiny ? RefineBy.RANDOM : RefineBy.BASE) : refineBy;
                if (by == RefineBy.WEIGHTS || by == RefineBy.RANDOM) {
                    RefinerConfig rc = refinerConfig != null ? refinerConfig : tiny ? TinyModels.REFINER : RefinerConfig.DEFAULT;
                    WanModel ref = by == RefineBy.WEIGHTS ? Refiner.load(refinerPath, be, rc)
                            : Refiner.random(refinerSeed != null ? refinerSeed : TinyModels.REFINER_SEED, be, rc);
                    opened.add(ref);
                    models.put(ModelRole.REFINER, ref);
                } else if (by == RefineBy.DIT) {
                    WanModel dit = WanCheckpoint.load(refinerPath, null, be, c -> sources.put(ModelRole.REFINER, c));
                    opened.add(dit);
                    models.put(ModelRole.REFINER, dit);
                    if (dit.config().inDim() != base.config().inDim()) {
                        throw new IllegalArgumentException("--refiner " + refinerPath + ": this DiT has " + dit.config().inDim()
                                + " latent channels, the base " + base.config().inDim() + ": they must share a latent space");
                    }
                }
                WanVaeDecoder vae = vaePath != null ? VaeCheckpoint.load(vaePath, null, be)
                        : tiny && tinyVae ? WanVaeDecoder.load(new RandomWeights(TinyModels.VAE_SEED), be, TinyModels.VAE) : null;
                if (vae != null) {
                    opened.add(vae);
                }
                if ((t5Path == null) != (tokenizerPath == null)) {
                    throw new IllegalArgumentException("textEncoder: both the umT5 weights and the tokenizer folder are needed");
                }
                if (worldText && t5Path != null) {
                    throw new IllegalArgumentException("textEncoder: give umT5 or the world's text encoder, not both");
                }
                PromptEncoder te = worldText ? WorldTextEncoder.open(be) : t5Path == null ? null : TextEncoder.load(t5Path, tokenizerPath, be);
                return new SurfEngine(be, models, sources, vae, te, tiny, by == RefineBy.BASE || by == RefineBy.DIT);
            } catch (IOException | RuntimeException e) {
                for (AutoCloseable c : opened) {
                    try {
                        c.close();
                    } catch (Exception ignored) {
                        // already failing; the first error is the one to report
                    }
                }
                be.close();
                throw e;
            }
        }
    }

    public Backend backend() {
        return be;
    }

    public WanConfig baseConfig() {
        return base.config();
    }

    /** True when the embedded tiny models are in use. */
    public boolean usesTinyModels() {
        return tiny;
    }

    /** True when a refine stage can run: a Refiner is loaded, or the engine refines training-free. */
    public boolean hasRefiner() {
        return trainingFree || models.containsKey(ModelRole.REFINER);
    }

    /**
     * True when the engine refines training-free (no Refiner weights: the base model's own, or
     * another Wan DiT's): its requests take {@link RefineOptions#fromBase} options.
     */
    public boolean refinesTrainingFree() {
        return trainingFree;
    }

    /**
     * The default refine to width x height for request r on this engine: the Refiner's defaults when
     * a Refiner is loaded ({@link RefineOptions#to}), else the training-free refine with r's schedule
     * and guidance ({@link RefineOptions#fromBase(int, int, GenerationRequest)}).
     */
    public RefineOptions refineTo(int width, int height, GenerationRequest r) {
        return trainingFree ? RefineOptions.fromBase(width, height, r) : RefineOptions.to(width, height);
    }



    /** True when a VAE is loaded, so latents can become video. */
    public boolean hasVae() {
        return vae != null;
    }

    /** True when a text encoder is loaded, so prompts can be encoded with {@link #encodeText}. */
    public boolean hasTextEncoder() {
        return textEncoder != null;
    }

    /**
     * The DiT context of a prompt, as the official pipeline computes it: cleaned, tokenized (EOS
     * appended, at most 512 tokens), encoded by umT5, trimmed to the real tokens. A truncation warning
     * goes to the platform logger ({@code System.getLogger}); use the other overload to receive it.
     */
    public TextEmbedding encodeText(String prompt) {
        System.Logger log = System.getLogger(SurfEngine.class.getName());
        return encodeText(prompt, w -> log.log(System.Logger.Level.WARNING, w));
    }

    /** {@link #encodeText(String)} with warnings (a truncated prompt) passed to warnings. */
    public TextEmbedding encodeText(String prompt, Consumer<String> warnings) {
        if (textEncoder == null) {
            throw new IllegalArgumentException("encodeText: this engine has no text encoder loaded (Builder.textEncoder)");
        }
        lock.lock();
        try {
            return textEncoder.encode(prompt, warnings);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Decodes a latent into a video file, streaming frame by frame: {@code *.mp4} (H.264 through ffmpeg,
     * PNG frames beside it when no ffmpeg exists), {@code *.safetensors} (tensor video [3, F, H, W]), or
     * any other name as a folder of PNG frames. Messages for the user (such as a fallback) go to notes.
     *
     * @return one line saying what was written where
     */
    public String writeVideo(Latent latent, Path out, double fps, Consumer<String> notes) throws IOException {
        if (vae == null) {
            throw new IllegalArgumentException("video: this engine has no VAE loaded (Builder.vae)");
        }
        if (latent.channels() != vae.config().zDim()) {
            throw new IllegalArgumentException("video: the latent has " + latent.channels() + " channels, the VAE decodes "
                    + vae.config().zDim());
        }
        lock.lock();
        try (Tensor z = latent.upload(be)) {
            return VideoOutput.decode(vae, z, out, fps, FfmpegMp4Writer.find(), notes);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The shape {3, F, H, W} that {@link #decodePixels} gives for this latent: F = 1 + 4 (T - 1) and
     * the VAE's spatial stride times h and w.
     */
    public int[] pixelShape(Latent latent) {
        checkDecodable(latent, "decodePixels");
        int s = vae.config().spaceStride();
        return new int[] {3, vae.config().outputFrames(latent.frames()), latent.height() * s, latent.width() * s};
    }

    /**
     * Decodes a latent to pixels in memory (whole, untiled): planar RGB [3, F, H, W] (see
     * {@link #pixelShape}), F32 clamped to [-1, 1], the values {@link #writeVideo} turns into frames.
     * Holds the whole video: for studies on short clips, not for long videos.
     */
    public float[] decodePixels(Latent latent) {
        checkDecodable(latent, "decodePixels");
        lock.lock();
        try (Tensor z = latent.upload(be); Tensor x = vae.decodeAll(z, true)) {
            return be.toFloats(x);
        } finally {
            lock.unlock();
        }
    }

    private void checkDecodable(Latent latent, String what) {
        if (vae == null) {
            throw new IllegalArgumentException(what + ": this engine has no VAE loaded (Builder.vae)");
        }
        if (latent.channels() != vae.config().zDim()) {
            throw new IllegalArgumentException(what + ": the latent has " + latent.channels() + " channels, the VAE decodes "
                    + vae.config().zDim());
        }
    }

    /** Lines describing the device and where every model's weights came from (random ones flagged). */
    public List<String> describe() {
        List<String> out = new ArrayList<>();
        out.add("device: " + be.name());
        out.add("base model: " + (tiny ? "embedded tiny Wan-architecture model (random weights)" : base.weights().describe())
                + ", " + base.config().numLayers() + " blocks of width " + base.config().dim());
        WanModel small = models.get(ModelRole.SMALL);
        if (small != null) {
            out.add("small model: " + small.weights().describe());
        }
        configSources.forEach((role, src) -> out.add(role.label() + " model " + src.describe()));
        WanModel refiner = models.get(ModelRole.REFINER);
        if (trainingFree) {
            out.add("refiner: training-free refine with " + (refiner == null ? "the base model's own weights"
                    : "the Wan DiT " + refiner.weights().describe()) + " (no Refiner weights given; --refiner random for a random"
                    + " Refiner)");
        } else if (refiner != null) {
            out.add("refiner: " + (refiner.weights().isRandom() ? "RANDOM WEIGHTS (" + refiner.weights().describe()
                    + "): no trained Refiner is loaded, refined output is not meaningful" : refiner.weights().describe())
                    + ", window " + refiner.windowFrames() + " latent frames");
        }
        if (textEncoder != null) {
            out.add("text encoder: " + textEncoder.describe());
        }
        if (vae != null) {
            out.add("vae: " + (vae.weights().isRandom() ? "embedded tiny Wan-VAE (random weights)" : vae.weights().describe()));
        }
        return out;
    }

    /** Checks a request against the loaded models; throws IllegalArgumentException naming the field. */
    public void validate(GenerationRequest r) {
        WanConfig c = base.config();
        WanModel small = models.get(ModelRole.SMALL);
        WanModel refiner = models.get(ModelRole.REFINER);
        checkText("context", r.context(), c);
        if (r.contextNull() != null) {
            checkText("contextNull", r.contextNull(), c);
        }
        if (r.smallFrom() > 0 && small == null) {
            throw new IllegalArgumentException("smallFrom: this engine has no second model loaded (Builder.smallModel)");
        }
        if (small != null && small.config().inDim() != c.inDim()) {
            throw new IllegalArgumentException("the small model has " + small.config().inDim() + " latent channels, the base "
                    + c.inDim() + ": they must share a latent space");
        }
        if (r.refine() != null) {
            checkRefineKind(r.refine());
        }
        if (r.refine() != null && refiner != null && refiner.config().textDim() != r.context().dim()) {
            throw new IllegalArgumentException("refine: the Refiner expects text width " + refiner.config().textDim()
                    + ", the context has " + r.context().dim());
        }
        pipeline.price(r.plan(c.patchH()));
    }

    /** The refine options must be of the kind this engine runs: the Refiner's, or the training-free refine's. */
    private void checkRefineKind(RefineOptions o) {
        if (!hasRefiner()) {
            throw new IllegalArgumentException("refine: this engine has no Refiner loaded");
        }
        if (o.trainingFree() && !trainingFree) {
            throw new IllegalArgumentException("refine: this engine refines with its Refiner; the training-free refine "
                    + "(RefineOptions.fromBase) needs an engine built with refineWithBase() or refineWithDit()");
        }
        if (!o.trainingFree() && trainingFree) {
            throw new IllegalArgumentException("refine: this engine has no Refiner weights and refines training-free: use "
                    + "RefineOptions.fromBase (or SurfEngine.refineTo)");
        }
    }

    private static void checkText(String field, TextEmbedding t, WanConfig c) {
        if (t.dim() != c.textDim()) {
            throw new IllegalArgumentException(field + ": width " + t.dim() + " does not match the model's text_dim " + c.textDim());
        }
        if (t.rows() > c.textLen()) {
            throw new IllegalArgumentException(field + ": " + t.rows() + " rows exceed the model's text_len " + c.textLen());
        }
    }

    /**
     * What a request would cost on this engine's models, stage by stage, without running it: the same
     * priced plan the generation's ETA and stage reports read. Validates the request first.
     */
    public PricedPlan price(GenerationRequest r) {
        validate(r);
        return pipeline.price(r.plan(base.config().patchH()));
    }

    /** Runs a request: baseline or SURF preview, then the refine stage if requested. */
    public GenerationResult generate(GenerationRequest r, ProgressListener listener, BooleanSupplier cancelled) {
        validate(r);
        lock.lock();
        try (Tensor ctx = r.context().upload(be); Tensor neg = r.contextNull() == null ? null : r.contextNull().upload(be)) {
            StagePlan plan = r.plan(base.config().patchH());
            try (SurfPipeline.Result res = pipeline.run(plan, new Conditioning(ctx, neg), r.seed(), listener, cancelled)) {
                Latent fin = Latent.of(be, res.latent());
                Latent prev = res.refined() == null ? null : Latent.of(be, res.preview().latent());
                return new GenerationResult(fin, prev, r.seed(), res.stages(), baselineFlops(r));
            }
        } finally {
            lock.unlock();
        }
    }

    /** N previews from seeds seed, seed+1, ... (no refine stage): pick one, then {@link #refine} it. */
    public List<GenerationResult> previews(GenerationRequest r, int count, ProgressListener listener, BooleanSupplier cancelled) {
        if (count < 1) {
            throw new IllegalArgumentException("previews: count must be >= 1, got " + count);
        }
        List<GenerationResult> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(generate(r.withoutRefine().withSeed(r.seed() + i), listener, cancelled));
        }
        return out;
    }

    /** Refines a preview latent (from {@link #previews} or a saved file) to the target, with its request's text. */
    public GenerationResult refine(Latent preview, GenerationRequest r, RefineOptions target, ProgressListener listener,
                                   BooleanSupplier cancelled) {
        checkRefineKind(target);
        validate(r.withoutRefine());
        lock.lock();
        try (Tensor ctx = r.context().upload(be); Tensor neg = r.contextNull() == null ? null : r.contextNull().upload(be);
             Preview p = Preview.of(preview.upload(be), r.seed(), r.plan(base.config().patchH()))) {
            try (SurfPipeline.Result res = pipeline.refine(p, target.stage(), new Conditioning(ctx, neg), listener, cancelled)) {
                return new GenerationResult(Latent.of(be, res.latent()), preview, r.seed(), res.stages(),
                        baselineFlops(r));
            }
        } finally {
            lock.unlock();
        }
    }

    /** The paper's baseline: the base model over all steps at the final output size. */
    private ForwardFlops baselineFlops(GenerationRequest r) {
        int h = r.refine() != null ? r.refine().height() / 8 : r.size().latentHeight();
        int w = r.refine() != null ? r.refine().width() / 8 : r.size().latentWidth();
        return FlopModel.sampling(FlopModel.forward(base.config(), r.size().latentFrames(), h, w, 0), r.steps(), r.guide() > 1);
    }

    @Override
    public void close() {
        if (textEncoder != null) {
            textEncoder.close();
        }
        if (vae != null) {
            vae.close();
        }
        for (ModelRole role : new ModelRole[] {ModelRole.REFINER, ModelRole.SMALL, ModelRole.BASE}) {
            WanModel m = models.get(role);
            if (m != null) {
                m.close();
            }
        }
        be.close();
    }
}
