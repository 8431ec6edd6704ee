package dev.surf.models.wan;

import dev.surf.core.Activation;
import dev.surf.core.AttentionSpec;
import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.grad.Tape;
import dev.surf.core.grad.Variable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The differentiable forward of a loaded {@link WanModel}: the same computation as
 * {@link WanModel#forward} (spec/wan21.md §2.3), recorded on a {@link Tape} so that
 * {@link Tape#backward} gives the gradient of a loss with respect to the latent, the text context
 * and every parameter under its official name. It mirrors the inference modules one method each
 * (time embedding, text embedding, {@code WanAttentionBlock} with its self-attention, cross-attention
 * and FFN, the head) and reads the model's own parameter tensors, so it trains exactly the model
 * that samples; WanGradConformanceTest checks that both forwards agree and that the gradients match
 * torch autograd on the official modules.
 *
 * <p>Differences from the inference forward, all for the backward: the fused GEMM epilogues
 * (gated residual, activation) are separate recorded ops, the text keys and values are recomputed
 * per pass (they depend on trainable weights), everything is F32, and one latent is processed at a
 * time ([in_dim, F, H, W], batch 1). Windowed self-attention (the Refiner) is supported as in the
 * model.
 */
public final class WanTrainForward {
    private final WanModel model;
    private final Predicate<String> trainable;
    private final boolean checkpointBlocks;

    /** Every parameter trainable. */
    public WanTrainForward(WanModel model) {
        this(model, name -> true);
    }

    /** Parameters for which trainable is false are frozen: no gradient is computed or kept for them. */
    public WanTrainForward(WanModel model, Predicate<String> trainable) {
        this(model, trainable, false);
    }

    /**
     * With checkpointBlocks, every {@code WanAttentionBlock} is an activation checkpoint
     * ({@link Tape#checkpoint}): between forward and backward the tape holds one block input per
     * block instead of all its activations, and each block runs forward twice. The memory of a pass
     * then grows with the number of blocks only by one [L, dim] tensor each.
     */
    public WanTrainForward(WanModel model, Predicate<String> trainable, boolean checkpointBlocks) {
        this.model = model;
        this.trainable = trainable;
        this.checkpointBlocks = checkpointBlocks;
    }

    /** The velocity and the variables of one recorded pass. */
    public record Pass(Variable out, Map<String, Variable> parameters) {
    }

    /**
     * Records one forward on the tape. x is [in_dim, F, H, W], context [n, text_dim] with
     * n {@literal <=} text_len (zero-padded to text_len before the text embedding, as the official code does);
     * the output is [out_dim, F, H, W] F32.
     */
    public Pass forward(Tape tape, Variable x, float t, Variable context) {
        WanConfig c = model.config();
        Trunk tr = trunk(tape, x, t, context, c.numLayers(), null);
        Params p = tr.params();
        int d = c.dim();
        int f = x.shape().dim(1);
        int hh = x.shape().dim(2);
        int ww = x.shape().dim(3);

        // head: (shift, scale) = head.modulation + e, with e the time embedding before SiLU
        Variable ev = tape.view(tr.e(), 1, 1, d);
        Variable hm = tape.add(tape.concat(1, ev, ev), tape.view(p.get("head.modulation"), 2, d));
        Variable hn = tape.layerNormModulate(tr.stream(), row(tape, hm, 0, d), row(tape, hm, 1, d), c.eps());
        Variable head = tape.linear(hn, p.get("head.head.weight"), p.get("head.head.bias"), Activation.NONE);

        // unpatchify: token outputs ordered (pt, ph, pw, c) with c fastest
        Variable hv = tape.view(head, 1, tr.fp(), tr.hp(), tr.wp(), c.patchT(), c.patchH(), c.patchW(), c.outDim());
        Variable out = tape.view(tape.permute(hv, 0, 7, 1, 4, 2, 5, 3, 6), c.outDim(), f, hh, ww);
        return new Pass(out, p.used);
    }

    /**
     * The hidden states of a recorded pass: the output of each of the first {@code blocks} blocks,
     * [1, L, dim] with tokens frame-major over the (fp, hp, wp) patch grid, and the variables of the
     * parameters used. The head does not run and the blocks after the last one asked for do not run.
     */
    public record Features(List<Variable> blocks, int fp, int hp, int wp, Map<String, Variable> parameters) {
        public Features {
            blocks = List.copyOf(blocks);
        }
    }

    /**
     * Records the forward up to block {@code blocks - 1} and returns every block's output: what a
     * discriminator built on a frozen copy of the model reads (SF-V). Inputs as {@link #forward}.
     */
    public Features features(Tape tape, Variable x, float t, Variable context, int blocks) {
        WanConfig c = model.config();
        if (blocks < 1 || blocks > c.numLayers()) {
            throw new IllegalArgumentException("features of " + blocks + " blocks: the model has " + c.numLayers());
        }
        List<Variable> out = new ArrayList<>();
        Trunk tr = trunk(tape, x, t, context, blocks, out);
        return new Features(out, tr.fp(), tr.hp(), tr.wp(), tr.params().used);
    }

    /** The token stream after the first {@code blocks} blocks, the time embedding e and the patch grid. */
    private record Trunk(Variable stream, Variable e, int fp, int hp, int wp, Params params) {
    }

    /** Patch, time and text embedding, then blocks 0 .. blocks - 1; each block's output goes to keep when given. */
    private Trunk trunk(Tape tape, Variable x, float t, Variable context, int blocks, List<Variable> keep) {
        WanConfig c = model.config();
        checkInputs(c, x.shape(), context.shape());
        Params p = new Params(tape);
        int fp = x.shape().dim(1) / c.patchT();
        int hp = x.shape().dim(2) / c.patchH();
        int wp = x.shape().dim(3) / c.patchW();
        int l = fp * hp * wp;
        int d = c.dim();

        // patch embedding as a GEMM over patch vectors in (c, kt, kh, kw) order; tokens frame-major
        Variable xv = tape.view(x, 1, c.inDim(), fp, c.patchT(), hp, c.patchH(), wp, c.patchW());
        Variable patches = tape.view(tape.permute(xv, 0, 2, 4, 6, 1, 3, 5, 7), 1, l, c.patchSize());
        Variable stream = tape.linear(patches, tape.view(p.get("patch_embedding.weight"), d, c.patchSize()),
                p.get("patch_embedding.bias"), Activation.NONE);

        Variable e = timeEmbedding(tape, p, c, t);
        Variable e0 = tape.view(tape.linear(tape.activation(e, Activation.SILU), p.get("time_projection.1.weight"),
                p.get("time_projection.1.bias"), Activation.NONE), 1, 6, d);
        Variable ctx = textEmbedding(tape, p, c, context);

        for (int i = 0; i < blocks; i++) {
            int parity = i % 2;
            var win = model.window(parity, fp, hp, wp);
            Tensor[] rope = model.rope(fp, hp, wp, win);
            AttentionSpec selfSpec = AttentionSpec.standard(c.headDim()).withWindow(win);
            int layer = i;
            stream = checkpointBlocks
                    ? tape.checkpoint((t2, in) -> block(t2, p, c, layer, in[0], in[1], in[2], rope, selfSpec), stream, e0, ctx)
                    : block(tape, p, c, i, stream, e0, ctx, rope, selfSpec);
            if (keep != null) {
                keep.add(stream);
            }
        }
        return new Trunk(stream, e, fp, hp, wp, p);
    }

    /** e = time_embedding(sinusoid(t)) [1, dim]; the sinusoid is computed in double and has no gradient. */
    private Variable timeEmbedding(Tape tape, Params p, WanConfig c, float t) {
        Tensor sin = tape.backend().fromFloats(TimestepEmbedding.sinusoid(c.freqDim(), t), Shape.of(1, c.freqDim()));
        Variable s = tape.ownedConstant(sin);
        Variable e1 = tape.linear(s, p.get("time_embedding.0.weight"), p.get("time_embedding.0.bias"), Activation.SILU);
        return tape.linear(e1, p.get("time_embedding.2.weight"), p.get("time_embedding.2.bias"), Activation.NONE);
    }

    /** The context rows zero-padded to text_len, then text_embedding: [1, text_len, dim]. */
    private Variable textEmbedding(Tape tape, Params p, WanConfig c, Variable context) {
        int n = context.shape().dim(0);
        Variable padded = context;
        if (n < c.textLen()) {
            Tensor zeros = tape.backend().zeros(DType.F32, Shape.of(c.textLen() - n, c.textDim()));
            padded = tape.concat(0, context, tape.ownedConstant(zeros));
        }
        Variable x = tape.view(padded, 1, c.textLen(), c.textDim());
        Variable h = tape.linear(x, p.get("text_embedding.0.weight"), p.get("text_embedding.0.bias"), Activation.GELU_TANH);
        return tape.linear(h, p.get("text_embedding.2.weight"), p.get("text_embedding.2.bias"), Activation.NONE);
    }

    /** {@code WanAttentionBlock}: modulated self-attention, cross-attention behind norm3, modulated FFN, gated residuals. */
    private Variable block(Tape tape, Params p, WanConfig c, int i, Variable x, Variable e0, Variable ctx, Tensor[] rope,
                           AttentionSpec selfSpec) {
        String b = "blocks." + i + ".";
        int d = c.dim();
        Variable mod = tape.add(e0, tape.view(p.get(b + "modulation"), 6, d));
        Variable[] m = new Variable[6];
        for (int j = 0; j < 6; j++) {
            m[j] = row(tape, mod, j, d);
        }
        Variable h = tape.layerNormModulate(x, m[0], m[1], c.eps());
        Variable sa = attention(tape, p, c, b + "self_attn.", h, h, rope, selfSpec);
        x = tape.add(x, tape.mul(sa, tape.view(m[2], d)));

        Variable hc = c.crossAttnNorm() ? tape.layerNorm(x, p.get(b + "norm3.weight"), p.get(b + "norm3.bias"), c.eps()) : x;
        x = tape.add(x, attention(tape, p, c, b + "cross_attn.", hc, ctx, null, AttentionSpec.standard(c.headDim())));

        Variable hf = tape.layerNormModulate(x, m[3], m[4], c.eps());
        Variable ff = tape.linear(hf, p.get(b + "ffn.0.weight"), p.get(b + "ffn.0.bias"), Activation.GELU_TANH);
        Variable y = tape.linear(ff, p.get(b + "ffn.2.weight"), p.get(b + "ffn.2.bias"), Activation.NONE);
        return tape.add(x, tape.mul(y, tape.view(m[5], d)));
    }

    /**
     * {@code WanSelfAttention} (rope given) and {@code WanT2VCrossAttention} (rope null, keys from
     * the text): q, k, v projections, RMSNorm of q and k over the full width, RoPE, softmax attention,
     * output projection o. Returns [1, L, dim].
     */
    private Variable attention(Tape tape, Params p, WanConfig c, String prefix, Variable x, Variable kv, Tensor[] rope,
                               AttentionSpec spec) {
        Variable q = heads(tape, c, project(tape, p, c, prefix, "q", x, true));
        Variable k = heads(tape, c, project(tape, p, c, prefix, "k", kv, true));
        Variable v = heads(tape, c, project(tape, p, c, prefix, "v", kv, false));
        if (rope != null) {
            q = tape.rope(q, rope[0], rope[1]);
            k = tape.rope(k, rope[0], rope[1]);
        }
        Variable a = tape.attention(q, k, v, spec);
        Variable flat = tape.view(a, 1, x.shape().dim(1), c.dim());
        return tape.linear(flat, p.get(prefix + "o.weight"), p.get(prefix + "o.bias"), Activation.NONE);
    }

    private Variable project(Tape tape, Params p, WanConfig c, String prefix, String which, Variable x, boolean norm) {
        Variable y = tape.linear(x, p.get(prefix + which + ".weight"), p.get(prefix + which + ".bias"), Activation.NONE);
        return norm && c.qkNorm() ? tape.rmsNorm(y, p.get(prefix + "norm_" + which + ".weight"), c.eps()) : y;
    }

    private static Variable heads(Tape tape, WanConfig c, Variable y) {
        return tape.view(y, 1, y.shape().dim(1), c.numHeads(), c.headDim());
    }

    /** Row j of a [1, rows, dim] modulation table as [1, dim]. */
    private static Variable row(Tape tape, Variable table, int j, int d) {
        return tape.view(tape.narrow(table, 1, j, 1), 1, d);
    }

    private static void checkInputs(WanConfig c, Shape x, Shape ctx) {
        if (x.rank() != 4 || x.dim(0) != c.inDim()) {
            throw new IllegalArgumentException("latent x must be [" + c.inDim() + ", F, H, W], got " + x);
        }
        if (x.dim(1) % c.patchT() != 0 || x.dim(2) % c.patchH() != 0 || x.dim(3) % c.patchW() != 0 || x.numel() == 0) {
            throw new IllegalArgumentException("latent x " + x + ": F, H, W must be positive multiples of the patch ("
                    + c.patchT() + ", " + c.patchH() + ", " + c.patchW() + ")");
        }
        if (ctx.rank() != 2 || ctx.dim(1) != c.textDim() || ctx.dim(0) < 1 || ctx.dim(0) > c.textLen()) {
            throw new IllegalArgumentException("context must be [n, " + c.textDim() + "] with 1 <= n <= text_len "
                    + c.textLen() + ", got " + ctx);
        }
    }

    /** The model's parameters as tape variables, made on first use; frozen ones as constants. */
    private final class Params {
        final Tape tape;
        final Map<String, Variable> used = new LinkedHashMap<>();
        private final Map<String, Tensor> all = model.parameters();

        Params(Tape tape) {
            this.tape = tape;
        }

        Variable get(String name) {
            return used.computeIfAbsent(name, n -> {
                Tensor t = all.get(n);
                if (t == null) {
                    throw new IllegalStateException("the model has no parameter " + n);
                }
                return trainable.test(n) ? tape.parameter(t) : tape.constant(t);
            });
        }
    }

    // ---------------------------------------------------------------- loss and gradients

    /**
     * loss = mean((out - target)^2) and its gradients for one latent: what {@code surf backward}
     * writes and the conformance fixture holds. The result owns its tape and tensors.
     */
    public Gradients mseGradients(Tensor x, float t, Tensor context, Tensor target) {
        Backend be = model.backend();
        Tape tape = new Tape(be);
        try {
            Variable xv = tape.input(x, true);
            Variable cv = tape.input(context, true);
            Pass pass = forward(tape, xv, t, cv);
            if (!target.shape().equals(pass.out().shape())) {
                throw new IllegalArgumentException("target has shape " + target.shape() + ", expected " + pass.out().shape());
            }
            Variable loss = tape.mseLoss(pass.out(), tape.constant(target));
            tape.backward(loss);
            Map<String, Tensor> grads = new LinkedHashMap<>();
            for (Map.Entry<String, Variable> en : pass.parameters().entrySet()) {
                if (en.getValue().requiresGrad()) {
                    grads.put(en.getKey(), en.getValue().grad());
                }
            }
            return new Gradients(tape, be.toFloats(loss.value())[0], pass.out().value(), xv.grad(), cv.grad(), grads);
        } catch (RuntimeException e) {
            tape.close();
            throw e;
        }
    }

    /**
     * One pass's loss and gradients (F32, shapes of what they belong to); the tensors live until
     * {@link #close()}.
     *
     * @param parameters d loss / d parameter for every trainable parameter, by official name
     */
    public record Gradients(Tape tape, float loss, Tensor out, Tensor x, Tensor context, Map<String, Tensor> parameters)
            implements AutoCloseable {
        @Override
        public void close() {
            tape.close();
        }
    }
}
