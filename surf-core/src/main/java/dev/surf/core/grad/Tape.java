package dev.surf.core.grad;

import dev.surf.core.Activation;
import dev.surf.core.AttentionGrads;
import dev.surf.core.AttentionSpec;
import dev.surf.core.AttentionWithLse;
import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Storage;
import dev.surf.core.Tensor;
import dev.surf.core.TensorScope;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reverse-mode automatic differentiation over {@link Backend} ops. Each op method runs the forward
 * op eagerly on the backend and, when an input requires a gradient, records how to send the output's
 * gradient back to its inputs; {@link #backward} replays the records newest first, summing the
 * contributions each variable receives. Every backward step is written with Backend ops (the
 * gradient ops and the forward ones), so any backend that implements them trains.
 *
 * <p>Ownership: the tape owns every tensor it creates (op results, saved tensors, gradients) and
 * frees them all in {@link #close()}; leaves ({@link #parameter}, {@link #input}, {@link #constant})
 * stay owned by the caller. Gradients are never accumulated in place, so a tensor handed to two
 * variables (add passes its gradient through unchanged) is never written twice.
 *
 * <p>Not thread-safe; one tape records one forward and runs one backward.
 */
public final class Tape implements AutoCloseable {
    private final Backend be;
    private final TensorScope scope = new TensorScope();
    private final List<Node> nodes = new ArrayList<>();
    private final Map<Tensor, Tensor> negatedSin = new IdentityHashMap<>();
    private boolean backwardDone;
    /** During backward: how many variables hold each gradient storage, and the tensors that own them. */
    private final Map<Storage, Integer> gradHolders = new IdentityHashMap<>();
    private final Map<Storage, Tensor> gradOwners = new IdentityHashMap<>();
    private boolean inBackward;

    /** How one op sends its output gradient back: one gradient per input (null where not needed). */
    interface Step {
        Tensor[] apply(Tensor dOut, boolean[] needs);
    }

    private record Node(Variable out, Variable[] inputs, Step step) {
    }

    /**
     * A part of the forward that {@link #checkpoint} runs twice: once without keeping its
     * intermediates, once more during backward. It must compute the same thing both times (no
     * randomness of its own) and read nothing from the tape it gets except through its inputs and
     * leaves (parameters, constants) made elsewhere.
     */
    @FunctionalInterface
    public interface Segment {
        /** Records the segment on tape from its inputs (variables of that tape) and returns its output. */
        Variable apply(Tape tape, Variable[] inputs);
    }

    public Tape(Backend be) {
        this.be = be;
    }

    public Backend backend() {
        return be;
    }

    // ---------------------------------------------------------------- leaves

    /** A trainable parameter: its gradient is kept. The caller keeps owning the tensor. */
    public Variable parameter(Tensor value) {
        return new Variable(this, value, true);
    }

    /** An input, with a gradient when requiresGrad (e.g. d loss / d x). */
    public Variable input(Tensor value, boolean requiresGrad) {
        return new Variable(this, value, requiresGrad);
    }

    /** A value without gradient: a frozen parameter, a target, a table. */
    public Variable constant(Tensor value) {
        return new Variable(this, value, false);
    }

    /** A constant made for this pass (a table, zero padding) that the tape owns and frees with itself. */
    public Variable ownedConstant(Tensor value) {
        return new Variable(this, keep(value), false);
    }

    // ---------------------------------------------------------------- ops

    /** act(x W^T + b) ({@link Backend#linear}); w [out, in], bias [out] or null. */
    public Variable linear(Variable x, Variable w, Variable bias, Activation act) {
        Tensor z = keep(be.linear(x.value(), w.value(), bias == null ? null : bias.value(), Activation.NONE));
        boolean fused = act != null && act != Activation.NONE;
        Tensor y = fused ? keep(be.activation(z, act)) : z;
        Variable[] in = bias == null ? new Variable[] {x, w} : new Variable[] {x, w, bias};
        return record(y, in, (dy, needs) -> {
            Tensor dz = fused ? keep(be.activationBackward(z, dy, act)) : dy;
            Tensor[] g = new Tensor[in.length];
            if (needs[0]) {
                g[0] = be.linearGradInput(dz, w.value());
            }
            if (needs[1]) {
                g[1] = be.linearGradWeight(dz, x.value());
            }
            if (in.length == 3 && needs[2]) {
                g[2] = be.sumLeading(dz, Shape.of(w.value().dim(0)));
            }
            return g;
        });
    }

    /** a + b, b's shape a suffix of a's ({@link Backend#add}); b's gradient is summed over the broadcast. */
    public Variable add(Variable a, Variable b) {
        Tensor y = keep(be.add(a.value(), b.value()));
        return record(y, new Variable[] {a, b}, (dy, needs) -> new Tensor[] {needs[0] ? dy : null,
                needs[1] ? reduceTo(dy, b.shape()) : null});
    }

    /** a * b elementwise with add's broadcasting. */
    public Variable mul(Variable a, Variable b) {
        Tensor y = keep(be.mul(a.value(), b.value()));
        return record(y, new Variable[] {a, b}, (dy, needs) -> new Tensor[] {
                needs[0] ? be.mul(dy, b.value()) : null,
                needs[1] ? reduceTo(keep(be.mul(dy, a.value())), b.shape()) : null});
    }

    /** act(x) elementwise. */
    public Variable activation(Variable x, Activation act) {
        Tensor y = keep(be.activation(x.value(), act));
        return record(y, new Variable[] {x}, (dy, needs) -> new Tensor[] {be.activationBackward(x.value(), dy, act)});
    }

    /** LayerNorm with optional affine weight and bias, output F32. */
    public Variable layerNorm(Variable x, Variable weight, Variable bias, float eps) {
        Tensor y = keep(be.layerNorm(x.value(), value(weight), value(bias), eps, DType.F32));
        int d = x.shape().dim(-1);
        return record(y, new Variable[] {x, weight, bias}, (dy, needs) -> {
            Tensor[] g = new Tensor[3];
            if (needs[0]) {
                g[0] = be.layerNormBackward(x.value(), value(weight), eps, dy);
            }
            if (needs[1]) {
                Tensor xhat = keep(be.layerNorm(x.value(), null, null, eps, DType.F32));
                g[1] = be.sumLeading(keep(be.mul(dy, xhat)), Shape.of(d));
            }
            if (needs[2]) {
                g[2] = be.sumLeading(dy, Shape.of(d));
            }
            return g;
        });
    }

    /**
     * adaLN: LayerNorm(x) (1 + scale) + shift ({@link Backend#layerNormModulate}), x [B, L, D] or
     * [L, D], shift and scale with B x D elements; output F32.
     */
    public Variable layerNormModulate(Variable x, Variable shift, Variable scale, float eps) {
        Tensor y = keep(be.layerNormModulate(x.value(), shift.value(), scale.value(), eps, DType.F32));
        return record(y, new Variable[] {x, shift, scale}, (dy, needs) -> {
            Tensor[] g = new Tensor[3];
            if (needs[0]) {
                g[0] = be.layerNormModulateBackward(x.value(), scale.value(), eps, dy);
            }
            if (needs[1]) {
                g[1] = perBatchSum(dy);
            }
            if (needs[2]) {
                Tensor xhat = keep(be.layerNorm(x.value(), null, null, eps, DType.F32));
                g[2] = perBatchSum(keep(be.mul(dy, xhat)));
            }
            return g;
        });
    }

    /** RMSNorm over the last dimension with optional weight. */
    public Variable rmsNorm(Variable x, Variable weight, float eps) {
        Tensor y = keep(be.rmsNorm(x.value(), value(weight), eps));
        return record(y, new Variable[] {x, weight}, (dy, needs) -> {
            Tensor[] g = new Tensor[2];
            if (needs[0]) {
                g[0] = be.rmsNormBackward(x.value(), value(weight), eps, dy);
            }
            if (needs[1]) {
                Tensor xhat = keep(be.rmsNorm(x.value(), null, eps));
                g[1] = be.sumLeading(keep(be.mul(dy, xhat)), Shape.of(x.shape().dim(-1)));
            }
            return g;
        });
    }

    /**
     * Rotary embedding with constant tables ({@link Backend#rope}). A rotation's adjoint is the
     * rotation by the opposite angle, so the backward is rope with sin negated.
     */
    public Variable rope(Variable x, Tensor cos, Tensor sin) {
        Tensor y = keep(be.rope(x.value(), cos, sin));
        return record(y, new Variable[] {x}, (dy, needs) -> {
            Tensor neg = negatedSin.computeIfAbsent(sin, s -> keep(be.combine(new float[] {-1f}, s)));
            return new Tensor[] {be.rope(dy, cos, neg)};
        });
    }

    /** Softmax attention ({@link Backend#attention}); the backward recomputes P from the saved log-sum-exp. */
    public Variable attention(Variable q, Variable k, Variable v, AttentionSpec spec) {
        AttentionWithLse f = be.attentionWithLse(q.value(), k.value(), v.value(), spec);
        keep(f.out());
        keep(f.lse());
        return record(f.out(), new Variable[] {q, k, v}, (dy, needs) -> {
            AttentionGrads g = be.attentionBackward(q.value(), k.value(), v.value(), f.out(), f.lse(), dy, spec);
            return new Tensor[] {keep(g.dq()), keep(g.dk()), keep(g.dv())};
        });
    }

    /** A materialised axis permutation; its gradient is the inverse permutation. */
    public Variable permute(Variable x, int... axes) {
        Tensor y = keep(be.permute(x.value(), axes));
        int[] inverse = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            inverse[axes[i]] = i;
        }
        return record(y, new Variable[] {x}, (dy, needs) -> new Tensor[] {be.permute(dy, inverse)});
    }

    /** Concatenation along an axis; each part's gradient is its slice of the output gradient. */
    public Variable concat(int axis, Variable... parts) {
        Tensor[] values = new Tensor[parts.length];
        for (int i = 0; i < parts.length; i++) {
            values[i] = parts[i].value();
        }
        Tensor y = keep(be.concat(axis, values));
        int ax = axis < 0 ? y.rank() + axis : axis;
        return record(y, parts, (dy, needs) -> {
            Tensor[] g = new Tensor[parts.length];
            int start = 0;
            for (int i = 0; i < parts.length; i++) {
                int len = parts[i].shape().dim(ax);
                if (needs[i]) {
                    g[i] = be.narrow(dy, ax, start, len);
                }
                start += len;
            }
            return g;
        });
    }

    /** Indices [start, start + length) along an axis; the gradient is zero outside them. */
    public Variable narrow(Variable x, int axis, int start, int length) {
        Tensor y = keep(be.narrow(x.value(), axis, start, length));
        int ax = axis < 0 ? x.shape().rank() + axis : axis;
        return record(y, new Variable[] {x}, (dy, needs) -> {
            Shape s = x.shape();
            List<Tensor> parts = new ArrayList<>();
            if (start > 0) {
                parts.add(keep(be.zeros(DType.F32, s.with(ax, start))));
            }
            parts.add(dy);
            int after = s.dim(ax) - start - length;
            if (after > 0) {
                parts.add(keep(be.zeros(DType.F32, s.with(ax, after))));
            }
            return new Tensor[] {parts.size() == 1 ? dy : be.concat(ax, parts.toArray(Tensor[]::new))};
        });
    }

    /** The same elements under another shape (no copy); the gradient is viewed back. */
    public Variable view(Variable x, int... dims) {
        Tensor y = x.value().view(dims);
        return record(y, new Variable[] {x}, (dy, needs) -> new Tensor[] {dy.view(x.shape())});
    }

    /** mean((a - target)^2) as F32 [1]; d/da = 2 (a - target) / n. */
    public Variable mseLoss(Variable a, Variable target) {
        Tensor y = keep(be.mseLoss(a.value(), target.value()));
        long n = a.value().numel();
        return record(y, new Variable[] {a, target}, (dy, needs) -> {
            float c = (float) (2.0 * be.toFloats(dy)[0] / n);
            Tensor da = keep(be.combine(new float[] {c, -c}, a.value(), target.value()));
            return new Tensor[] {needs[0] ? da : null, needs[1] ? be.combine(new float[] {-1f}, da) : null};
        });
    }

    /**
     * 3-D convolution ({@link Backend#conv3d}, the Wan-VAE's causal conv): x [Cin, T, H, W],
     * w [Cout, Cin, kt, kh, kw], bias [Cout] or null.
     */
    public Variable conv3d(Variable x, Variable w, Variable bias, int padFront, int padH, int padW) {
        Tensor y = keep(be.conv3d(x.value(), w.value(), value(bias), padFront, padH, padW));
        return record(y, new Variable[] {x, w, bias}, (dy, needs) -> new Tensor[] {
                needs[0] ? be.conv3dGradInput(dy, w.value(), padFront, padH, padW) : null,
                needs[1] ? be.conv3dGradWeight(dy, x.value(), padFront, padH, padW) : null,
                needs[2] ? sumPerChannel(dy) : null});
    }

    /** The Wan-VAE's channel RMS norm ({@link Backend#channelRmsNorm}) over dimension 0 of x [C, ...]. */
    public Variable channelRmsNorm(Variable x, Variable gamma) {
        Tensor y = keep(be.channelRmsNorm(x.value(), gamma.value()));
        return record(y, new Variable[] {x, gamma}, (dy, needs) -> {
            Tensor[] g = new Tensor[2];
            if (needs[0]) {
                g[0] = be.channelRmsNormBackward(x.value(), gamma.value(), dy);
            }
            if (needs[1]) {
                float[] ones = new float[x.shape().dim(0)];
                java.util.Arrays.fill(ones, 1f);
                Tensor unitGamma = keep(be.fromFloats(ones, Shape.of(ones.length)));
                Tensor unit = keep(be.channelRmsNorm(x.value(), unitGamma));
                g[1] = sumPerChannel(keep(be.mul(dy, unit)));
            }
            return g;
        });
    }

    /** Resizes the last two dimensions ({@link Backend#resize}); the backward is the adjoint linear map. */
    public Variable resize(Variable x, int outH, int outW, dev.surf.core.ResizeMode mode) {
        Tensor y = keep(be.resize(x.value(), outH, outW, mode));
        int inH = x.shape().dim(-2);
        int inW = x.shape().dim(-1);
        return record(y, new Variable[] {x}, (dy, needs) -> new Tensor[] {be.resizeBackward(dy, inH, inW, mode)});
    }

    /** Rows of a table ({@link Backend#embedding}); repeated ids sum their gradients into the row. */
    public Variable embedding(Variable table, int[] ids) {
        Tensor y = keep(be.embedding(table.value(), ids));
        int[] copy = ids.clone();
        int vocab = table.shape().dim(0);
        return record(y, new Variable[] {table}, (dy, needs) -> new Tensor[] {be.embeddingBackward(dy, copy, vocab)});
    }

    /**
     * The mean of every element of x as F32 [1] (summed in double by {@link Backend#sumLeading});
     * the gradient spreads dy / n over x. With {@link #l1Loss} it builds the hinge losses of
     * adversarial training: mean(relu(1 - r)) = (1 - mean(r) + mean(|r - 1|)) / 2.
     */
    public Variable mean(Variable x) {
        int n = Math.toIntExact(x.value().numel());
        Tensor sum = keep(be.sumLeading(x.value().view(n, 1), Shape.of(1)));
        Tensor y = keep(be.combine(new float[] {(float) (1.0 / n)}, sum));
        return record(y, new Variable[] {x}, (dy, needs) -> {
            float g = (float) (be.toFloats(dy)[0] / n);
            Tensor column = keep(be.zeros(DType.F32, Shape.of(n, 1)));
            Tensor filled = keep(be.add(column, keep(be.fromFloats(new float[] {g}, Shape.of(1)))));
            return new Tensor[] {filled.view(x.shape())};
        });
    }

    /** a x + b elementwise for constants a and b (a loss's weight, a hinge's margin). */
    public Variable affine(Variable x, float a, float b) {
        Tensor ax = keep(be.combine(new float[] {a}, x.value()));
        int n = Math.toIntExact(x.value().numel());
        Tensor y = b == 0 ? ax
                : keep(be.add(ax.view(n, 1), keep(be.fromFloats(new float[] {b}, Shape.of(1))))).view(x.shape());
        return record(y, new Variable[] {x}, (dy, needs) -> new Tensor[] {be.combine(new float[] {a}, dy)});
    }

    /** mean(|a - target|) as F32 [1]; d/da = sign(a - target) / n. */
    public Variable l1Loss(Variable a, Variable target) {
        Tensor y = keep(be.l1Loss(a.value(), target.value()));
        return record(y, new Variable[] {a, target}, (dy, needs) -> {
            float g = be.toFloats(dy)[0];
            Tensor sign = keep(be.l1LossGrad(a.value(), target.value()));
            Tensor da = g == 1f ? sign : keep(be.combine(new float[] {g}, sign));
            return new Tensor[] {needs[0] ? da : null, needs[1] ? be.combine(new float[] {-1f}, da) : null};
        });
    }

    /**
     * Activation checkpointing (as torch.utils.checkpoint): runs segment on a tape of its own and
     * keeps only its output, freeing every intermediate at once; the backward runs the segment again
     * on a fresh tape, back-propagates the output gradient through it and frees that tape too. So
     * the memory held between forward and backward is the segment's inputs and output, not its
     * activations, at the price of a second forward of the segment. Gradients reach the inputs and
     * every leaf the segment reads (its parameters), owned by this tape as usual; they equal those of
     * recording the segment directly up to the order in which contributions to a variable used
     * several times inside and outside the segment are summed.
     */
    public Variable checkpoint(Segment segment, Variable... inputs) {
        Tensor y;
        boolean requires;
        try (Tape once = new Tape(be)) {
            Variable[] in = new Variable[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                in[i] = once.input(inputs[i].value(), false);
            }
            Variable out = segment.apply(once, in);
            y = keep(copyOf(out.value()));
            // The output needs a gradient when an input does or a leaf inside does (its parameters).
            requires = out.requiresGrad();
        }
        for (Variable v : inputs) {
            requires |= v.requiresGrad();
        }
        return record(y, inputs, requires, (dy, needs) -> {
            try (Tape again = new Tape(be)) {
                Variable[] in = new Variable[inputs.length];
                for (int i = 0; i < inputs.length; i++) {
                    in[i] = again.input(inputs[i].value(), needs[i]);
                }
                Variable out = segment.apply(again, in);
                // The seed is copied so that nothing the inner tape frees belongs to this one.
                again.run(out, again.keep(copyOf(dy)));
                Tensor[] g = new Tensor[inputs.length];
                for (int i = 0; i < inputs.length; i++) {
                    if (needs[i] && in[i].grad() != null) {
                        g[i] = copyOf(in[i].grad());
                    }
                }
                return g;
            }
        });
    }

    // ---------------------------------------------------------------- backward

    /**
     * Runs the recorded ops backwards from a one-element loss (seed gradient 1), leaving
     * d loss / d v in {@link Variable#grad()} of every leaf ({@link #parameter}, {@link #input})
     * that requires a gradient. The gradients of op results are freed as soon as their own record
     * has used them (as torch keeps no {@code .grad} of non-leaf tensors), so the gradient memory of
     * a deep model stays that of one layer's worth of activations plus the leaves' gradients.
     *
     * @throws IllegalArgumentException if loss does not have exactly one element
     * @throws IllegalStateException    if backward already ran on this tape
     */
    public void backward(Variable loss) {
        if (loss.value().numel() != 1) {
            throw new IllegalArgumentException("backward needs a one-element loss, got " + loss.shape());
        }
        if (backwardDone) {
            throw new IllegalStateException("backward already ran on this tape");
        }
        backwardDone = true;
        if (!loss.requiresGrad()) {
            return;
        }
        run(loss, keep(be.fromFloats(new float[] {1f}, loss.shape())));
    }

    /** Replays the records newest first from seed = d loss / d out. */
    private void run(Variable out, Tensor seed) {
        if (!out.requiresGrad()) {
            return;
        }
        inBackward = true;
        hold(out, seed);
        for (int n = nodes.size() - 1; n >= 0; n--) {
            Node node = nodes.get(n);
            Tensor dOut = node.out().grad();
            if (dOut == null) {
                continue;
            }
            boolean[] needs = new boolean[node.inputs().length];
            for (int i = 0; i < needs.length; i++) {
                needs[i] = node.inputs()[i] != null && node.inputs()[i].requiresGrad();
            }
            Tensor[] g = node.step().apply(dOut, needs);
            for (int i = 0; i < needs.length; i++) {
                if (needs[i] && g[i] != null) {
                    Variable in = node.inputs()[i];
                    accumulate(in, in.tape() == this ? keep(g[i]) : g[i]);
                }
            }
            // An op result's gradient is used once, by its own record: free it now unless an input
            // holds the same storage (add and view pass their gradient through).
            release(node.out());
        }
        gradHolders.clear();
        gradOwners.clear();
        inBackward = false;
    }

    /** v no longer holds its gradient; the storage is freed when no other variable holds it. */
    private void release(Variable v) {
        Tensor g = v.grad();
        v.setGrad(null);
        Storage s = g.storage();
        if (gradHolders.merge(s, -1, Integer::sum) <= 0) {
            gradHolders.remove(s);
            freeIfUnheld(s);
        }
    }

    /** Closes a gradient storage made during this backward that no variable holds (an addend once summed). */
    private void freeIfUnheld(Storage s) {
        if (!gradHolders.containsKey(s)) {
            Tensor owner = gradOwners.remove(s);
            if (owner != null) {
                owner.close();
            }
        }
    }

    private void hold(Variable v, Tensor g) {
        gradHolders.merge(g.storage(), 1, Integer::sum);
        v.setGrad(g);
    }

    /** Frees every tensor the tape created (values of op results, saved tensors, gradients). */
    @Override
    public void close() {
        scope.close();
        nodes.clear();
        negatedSin.clear();
    }

    // ---------------------------------------------------------------- internals

    private Variable record(Tensor y, Variable[] inputs, Step step) {
        boolean requires = false;
        for (Variable v : inputs) {
            requires |= v != null && v.requiresGrad();
        }
        return record(y, inputs, requires, step);
    }

    private Variable record(Tensor y, Variable[] inputs, boolean requires, Step step) {
        Variable out = new Variable(this, y, requires);
        if (requires) {
            nodes.add(new Node(out, inputs, step));
        }
        return out;
    }

    private void accumulate(Variable v, Tensor g) {
        Tensor gv = g.shape().equals(v.shape()) ? g : g.view(v.shape());
        if (v.tape() != this) {
            // A leaf of an enclosing tape read inside a checkpointed segment: its gradient must
            // outlive this inner tape, so the tape that made the leaf owns it. A tensor the step has
            // just made changes owner; one this tape holds (a gradient passed through) is copied.
            Tape owner = v.tape();
            boolean fresh = g.isOwner() && !scope.tracks(g);
            if (v.grad() != null) {
                v.setGrad(owner.keep(be.add(v.grad(), gv)));
                if (fresh) {
                    g.close();
                }
            } else if (fresh) {
                owner.keep(g);
                v.setGrad(gv);
            } else {
                v.setGrad(owner.keep(copyOf(gv)));
            }
            return;
        }
        if (v.grad() == null) {
            hold(v, gv);
            return;
        }
        Tensor sum = keep(be.add(v.grad(), gv));
        release(v);
        hold(v, sum);
        freeIfUnheld(gv.storage());
    }

    /** A new tensor with t's elements (convert to the same dtype is a copy on every backend). */
    private Tensor copyOf(Tensor t) {
        return be.convert(t, t.dtype());
    }

    /** Sum of dy over the leading dimensions that broadcasting added. */
    private Tensor reduceTo(Tensor dy, Shape shape) {
        return dy.shape().equals(shape) ? dy : be.sumLeading(dy, shape);
    }

    /** dy [B, L, D] (or [L, D]) summed over L per batch item: [B, D] (the gradient of a per-item modulation row). */
    private Tensor perBatchSum(Tensor dy) {
        int d = dy.dim(-1);
        int batch = dy.rank() >= 3 ? dy.dim(0) : 1;
        if (batch == 1) {
            return be.sumLeading(dy, Shape.of(d));
        }
        Tensor[] rows = new Tensor[batch];
        for (int b = 0; b < batch; b++) {
            rows[b] = keep(be.sumLeading(dy.slice(b, b + 1), Shape.of(d))).view(1, d);
        }
        return be.concat(0, rows);
    }

    /** dy [C, ...] summed over everything but dimension 0: [C] (a convolution bias, a per-channel gain). */
    private Tensor sumPerChannel(Tensor dy) {
        int c = dy.dim(0);
        Tensor rows = keep(be.permute(dy.view(c, (int) (dy.numel() / c)), 1, 0));
        return be.sumLeading(rows, Shape.of(c));
    }

    private static Tensor value(Variable v) {
        return v == null ? null : v.value();
    }

    private Tensor keep(Tensor t) {
        if (inBackward && t.isOwner()) {
            gradOwners.putIfAbsent(t.storage(), t);
        }
        return scope.track(t);
    }
}
