package dev.surf.models.wan;

import dev.surf.core.Activation;
import dev.surf.core.AttentionSpec;
import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.TensorScope;
import dev.surf.core.TimeWindow;
import dev.surf.models.wan.WanWeights.Use;
import dev.surf.models.weights.WeightSource;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Wan 2.1 text-to-video DiT ({@code WanModel} of wan/modules/model.py), written against
 * {@link Backend} only. One forward maps a latent [B, 16, F, H, W], timesteps and a prepared text
 * context to the flow velocity of the same shape, exactly as spec/wan21.md §2.3 describes.
 *
 * <p>The same module also serves the SURF Refiner: with {@code windowFrames > 0} self-attention is
 * windowed along time (spec/surf.md §3): even blocks use plain windows of that many latent frames,
 * odd blocks windows shifted by half of it with the wrapped window masked, and RoPE frame positions
 * are taken within the window.
 *
 * <p>Thread-safety: a loaded model is immutable; concurrent forwards are safe on a thread-safe backend.
 */
public final class WanModel implements AutoCloseable {
    private final WanConfig config;
    private final Backend be;
    private final WanWeights weights;
    private final int windowFrames;
    /** False for a {@link #withWindow} view: the weights belong to the model it was made from. */
    private final boolean ownsWeights;

    final Tensor patchEmbedding;
    final Tensor patchEmbeddingBias;
    final Tensor textEmbedding0;
    final Tensor textEmbedding0Bias;
    final Tensor textEmbedding2;
    final Tensor textEmbedding2Bias;
    final Tensor timeEmbedding0;
    final Tensor timeEmbedding0Bias;
    final Tensor timeEmbedding2;
    final Tensor timeEmbedding2Bias;
    final Tensor timeProjection;
    final Tensor timeProjectionBias;
    final WanAttentionBlock[] blocks;
    final Tensor headWeight;
    final Tensor headBias;
    final Tensor headModulation;

    private final Map<String, Tensor[]> ropeTables = new ConcurrentHashMap<>();

    private WanModel(WeightSource source, Backend be, WanConfig c, int windowFrames) throws IOException {
        if (windowFrames < 0) {
            throw new IllegalArgumentException("window frames must be >= 0 (0 = global attention), got " + windowFrames);
        }
        this.config = c;
        this.be = be;
        this.windowFrames = windowFrames;
        this.ownsWeights = true;
        this.weights = new WanWeights(source, be);
        WanWeights w = weights;
        int d = c.dim();
        try {
            patchEmbedding = w.get("patch_embedding.weight", Shape.of(d, c.inDim(), c.patchT(), c.patchH(), c.patchW()), Use.MATMUL);
            patchEmbeddingBias = w.get("patch_embedding.bias", Shape.of(d), Use.FP32);
            textEmbedding0 = w.get("text_embedding.0.weight", Shape.of(d, c.textDim()), Use.MATMUL);
            textEmbedding0Bias = w.get("text_embedding.0.bias", Shape.of(d), Use.FP32);
            textEmbedding2 = w.get("text_embedding.2.weight", Shape.of(d, d), Use.MATMUL);
            textEmbedding2Bias = w.get("text_embedding.2.bias", Shape.of(d), Use.FP32);
            timeEmbedding0 = w.get("time_embedding.0.weight", Shape.of(d, c.freqDim()), Use.FP32);
            timeEmbedding0Bias = w.get("time_embedding.0.bias", Shape.of(d), Use.FP32);
            timeEmbedding2 = w.get("time_embedding.2.weight", Shape.of(d, d), Use.FP32);
            timeEmbedding2Bias = w.get("time_embedding.2.bias", Shape.of(d), Use.FP32);
            timeProjection = w.get("time_projection.1.weight", Shape.of(6 * d, d), Use.FP32);
            timeProjectionBias = w.get("time_projection.1.bias", Shape.of(6 * d), Use.FP32);
            blocks = new WanAttentionBlock[c.numLayers()];
            for (int i = 0; i < blocks.length; i++) {
                blocks[i] = new WanAttentionBlock(w, i, c);
            }
            int out = c.outDim() * c.patchT() * c.patchH() * c.patchW();
            headWeight = w.get("head.head.weight", Shape.of(out, d), Use.FP32);
            headBias = w.get("head.head.bias", Shape.of(out), Use.FP32);
            headModulation = w.get("head.modulation", Shape.of(1, 2, d), Use.FP32);
        } catch (IOException | RuntimeException e) {
            weights.close();
            source.close();
            throw e;
        }
    }

    /** A view of shared's parameters with another self-attention window (see {@link #withWindow}). */
    private WanModel(WanModel shared, int windowFrames) {
        if (windowFrames < 0) {
            throw new IllegalArgumentException("window frames must be >= 0 (0 = global attention), got " + windowFrames);
        }
        this.config = shared.config;
        this.be = shared.be;
        this.weights = shared.weights;
        this.windowFrames = windowFrames;
        this.ownsWeights = false;
        this.patchEmbedding = shared.patchEmbedding;
        this.patchEmbeddingBias = shared.patchEmbeddingBias;
        this.textEmbedding0 = shared.textEmbedding0;
        this.textEmbedding0Bias = shared.textEmbedding0Bias;
        this.textEmbedding2 = shared.textEmbedding2;
        this.textEmbedding2Bias = shared.textEmbedding2Bias;
        this.timeEmbedding0 = shared.timeEmbedding0;
        this.timeEmbedding0Bias = shared.timeEmbedding0Bias;
        this.timeEmbedding2 = shared.timeEmbedding2;
        this.timeEmbedding2Bias = shared.timeEmbedding2Bias;
        this.timeProjection = shared.timeProjection;
        this.timeProjectionBias = shared.timeProjectionBias;
        this.blocks = shared.blocks;
        this.headWeight = shared.headWeight;
        this.headBias = shared.headBias;
        this.headModulation = shared.headModulation;
    }

    /**
     * The same parameters (shared, not copied) with self-attention windowed over windowFrames latent
     * frames (0 = global), e.g. the base model refining with the Refiner's time windows. Closing the
     * view releases only its own RoPE tables; the weights stay with this model, which must outlive it.
     */
    public WanModel withWindow(int windowFrames) {
        return new WanModel(this, windowFrames);
    }

    /**
     * Builds the model with global self-attention (Wan). The model owns the source and closes it
     * with itself: CPU weights may borrow a checkpoint's mapped memory.
     */
    public static WanModel load(WeightSource source, Backend be, WanConfig config) throws IOException {
        return new WanModel(source, be, config, 0);
    }

    /** Builds the model with self-attention windowed along time over windowFrames latent frames (0 = global). */
    public static WanModel load(WeightSource source, Backend be, WanConfig config, int windowFrames) throws IOException {
        return new WanModel(source, be, config, windowFrames);
    }

    public WanConfig config() {
        return config;
    }

    public Backend backend() {
        return be;
    }

    /** Where the parameters came from. */
    public WeightSource weights() {
        return weights.source();
    }

    /** Latent frames per self-attention window, 0 for global attention. */
    public int windowFrames() {
        return windowFrames;
    }

    /** Prepares text contexts ({@code [n_b, text_dim]} each, {@code n_b <= text_len}) for forwards of batch size contexts.size(). */
    public TextContext prepareText(List<Tensor> contexts) {
        return new TextContext(this, be, contexts);
    }

    /** Forward without probing. */
    public Tensor forward(Tensor x, float[] t, TextContext text) {
        return forward(x, t, text, null);
    }

    /**
     * The flow velocity for latents x [B, in_dim, F, H, W] (or [in_dim, F, H, W] for B = 1) at
     * timesteps t (one per batch item, or one shared), with text prepared for the same batch size.
     * Returns F32 of the input's rank: [B, out_dim, F, H, W].
     */
    public Tensor forward(Tensor x, float[] t, TextContext text, ActivationProbe probe) {
        WanConfig c = config;
        boolean unbatched = x.rank() == 4;
        if (!unbatched && x.rank() != 5) {
            throw new IllegalArgumentException("latent x must be [" + c.inDim() + ", F, H, W] or [B, " + c.inDim()
                    + ", F, H, W], got " + x.shape());
        }
        int b = unbatched ? 1 : x.dim(0);
        int ch = x.dim(-4);
        int f = x.dim(-3);
        int hh = x.dim(-2);
        int ww = x.dim(-1);
        if (ch != c.inDim()) {
            throw new IllegalArgumentException("latent x has " + ch + " channels, this model expects " + c.inDim()
                    + " (shape " + x.shape() + ")");
        }
        if (f % c.patchT() != 0 || hh % c.patchH() != 0 || ww % c.patchW() != 0 || f == 0 || hh == 0 || ww == 0) {
            throw new IllegalArgumentException("latent x " + x.shape() + ": F, H, W must be positive multiples of the patch ("
                    + c.patchT() + ", " + c.patchH() + ", " + c.patchW() + ")");
        }
        if (t.length != 1 && t.length != b) {
            throw new IllegalArgumentException(t.length + " timesteps given for a batch of " + b);
        }
        if (text.batch() != b) {
            throw new IllegalArgumentException("text context prepared for batch " + text.batch() + ", latent batch is " + b);
        }
        int fp = f / c.patchT();
        int hp = hh / c.patchH();
        int wp = ww / c.patchW();
        int l = fp * hp * wp;
        int d = c.dim();
        DType act = be.activationType();
        try (TensorScope s = new TensorScope()) {
            // patch embedding as a GEMM over patch vectors in (c, kt, kh, kw) order; tokens frame-major
            Tensor xv = x.view(b, ch, fp, c.patchT(), hp, c.patchH(), wp, c.patchW());
            Tensor patches = s.track(be.permute(xv, 0, 2, 4, 6, 1, 3, 5, 7)).view(b, l, c.patchSize());
            Tensor patchesAct = patches.dtype() == act ? patches : s.track(be.convert(patches, act));
            Tensor tokens = s.track(be.linear(patchesAct, patchEmbedding.view(d, c.patchSize()), patchEmbeddingBias, Activation.NONE));
            Tensor stream = tokens.dtype() == DType.F32 ? tokens : s.track(be.convert(tokens, DType.F32));
            record(probe, "patch", stream);

            float[] sin = new float[b * c.freqDim()];
            for (int i = 0; i < b; i++) {
                System.arraycopy(TimestepEmbedding.sinusoid(c.freqDim(), t[t.length == 1 ? 0 : i]), 0, sin, i * c.freqDim(), c.freqDim());
            }
            Tensor sinT = s.track(be.fromFloats(sin, Shape.of(b, c.freqDim())));
            Tensor e1 = s.track(be.linear(sinT, timeEmbedding0, timeEmbedding0Bias, Activation.SILU));
            Tensor e = s.track(be.linear(e1, timeEmbedding2, timeEmbedding2Bias, Activation.NONE));
            record(probe, "e", e);
            Tensor se = s.track(be.activation(e, Activation.SILU));
            Tensor e0 = s.track(be.linear(se, timeProjection, timeProjectionBias, Activation.NONE)).view(b, 6, d);
            record(probe, "e0", e0);
            record(probe, "context_emb", text.embedded());

            AttentionSpec[] specs = new AttentionSpec[2];
            Tensor[][] ropes = new Tensor[2][];
            for (int parity = 0; parity < 2; parity++) {
                TimeWindow win = window(parity, fp, hp, wp);
                specs[parity] = AttentionSpec.standard(c.headDim()).withWindow(win);
                ropes[parity] = rope(fp, hp, wp, win);
            }
            for (WanAttentionBlock block : blocks) {
                int parity = block.index % 2;
                block.forward(be, stream, e0, ropes[parity], specs[parity], text, probe);
            }

            // head: (shift, scale) = head.modulation + e, with e the time embedding before SiLU
            Tensor ev = e.view(b, 1, d);
            Tensor hm = s.track(be.add(s.track(be.concat(1, ev, ev)), headModulation.view(2, d)));
            Tensor hmT = s.track(be.permute(hm, 1, 0, 2));
            Tensor hn = s.track(be.layerNormModulate(stream, hmT.slice(0, 1).view(b, d), hmT.slice(1, 2).view(b, d),
                    c.eps(), DType.F32));
            Tensor head = s.track(be.linear(hn, headWeight, headBias, Activation.NONE));
            record(probe, "head", head);

            // unpatchify: token outputs ordered (pt, ph, pw, c) with c fastest
            Tensor hv = head.view(b, fp, hp, wp, c.patchT(), c.patchH(), c.patchW(), c.outDim());
            Tensor out = be.permute(hv, 0, 7, 1, 4, 2, 5, 3, 6);
            return unbatched ? out.reshape(c.outDim(), f, hh, ww) : out.reshape(b, c.outDim(), f, hh, ww);
        }
    }

    /** The self-attention window of blocks of this parity (even: plain, odd: shifted by half), null for global attention. */
    TimeWindow window(int parity, int fp, int hp, int wp) {
        return windowFrames == 0 ? null : new TimeWindow(fp, hp * wp, windowFrames, parity == 0 ? 0 : windowFrames / 2);
    }

    /** Every parameter under its official name (the model owns them). */
    public Map<String, Tensor> parameters() {
        return weights.parameters();
    }

    /** RoPE tables of the token grid, frame positions taken within the window when there is one (cached, owned by the model). */
    Tensor[] rope(int fp, int hp, int wp, TimeWindow win) {
        String key = fp + "x" + hp + "x" + wp + (win == null ? "" : "w" + win.windowFrames() + "s" + win.effectiveShift());
        return ropeTables.computeIfAbsent(key, k -> {
            if (win == null) {
                return WanRope.grid(be, config.headDim(), fp, hp, wp);
            }
            int l = fp * hp * wp;
            int[] f = new int[l];
            int[] h = new int[l];
            int[] w = new int[l];
            for (int n = 0; n < l; n++) {
                f[n] = win.localFrame(n / (hp * wp));
                h[n] = (n / wp) % hp;
                w[n] = n % wp;
            }
            return WanRope.tables(be, config.headDim(), f, h, w);
        });
    }

    private static void record(ActivationProbe probe, String name, Tensor t) {
        if (probe != null) {
            probe.record(name, t);
        }
    }

    @Override
    public void close() {
        for (Tensor[] r : ropeTables.values()) {
            for (Tensor t : r) {
                t.close();
            }
        }
        ropeTables.clear();
        if (ownsWeights) {
            weights.close();
            weights.source().close();
        }
    }
}
