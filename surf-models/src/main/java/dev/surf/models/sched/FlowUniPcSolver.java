package dev.surf.models.sched;

import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.Half;
import dev.surf.core.Tensor;
import dev.surf.core.TensorScope;

/**
 * The official Wan 2.1 sampler, {@code FlowUniPCMultistepScheduler} with solver_order 2, bh2,
 * predict_x0, lower_order_final, the corrector on every step, final sigma 0 (spec/wan21.md §3.5).
 *
 * <p>Step i: the x0-estimate {@code m_i = x_i - sigma_i v_i} is taken on the sample the model saw; for
 * i &gt;= 1 the UniC corrector then replaces x_i by a corrected sample, from which the UniP predictor of
 * order {@link #order(int, int)} gives x_{i+1}. The corrected sample never reaches the model, and the
 * last step returns exactly m_{N-1}.
 *
 * <p>Scalar coefficients are float32 and follow the official operation order
 * ({@link UniPcCoefficients}). The tensor updates are linear combinations evaluated with fused
 * multiply-adds, so they can differ from torch's separately rounded operations in the last bit.
 *
 * <p><b>bf16 history terms.</b> In the official GPU run the history contractions ({@code torch.einsum}
 * for {@code pred_res} and {@code corr_res}) run under bf16 autocast: their inputs are cast to bf16 and
 * their result is bf16, and in UniP the product {@code alpha B pred_res} stays bf16 as well (a 0-dim
 * float32 scalar does not promote a bf16 tensor). With {@code bf16HistoryTerms} this solver rounds
 * those same values to bf16 (spec §3.5, "Precision detail", which is inferred, not yet measured):
 * UniP {@code bf16(alpha B * 0.5 bf16(D))}, UniC {@code bf16(bf16(rho0) bf16(D))}. D is formed with
 * the reciprocal of r where torch divides, which can move it by an ulp before the bf16 rounding. The
 * default is the float32 form, which is what the CPU conformance fixtures were made with.
 */
public final class FlowUniPcSolver implements Solver {
    private final FlowSchedule schedule;
    private final float[] sigmas;
    private final boolean bf16HistoryTerms;

    private int next;
    private int start;
    private int lastOrder;
    private Tensor mPrev;      // m_{i-1}
    private Tensor mPrev2;     // m_{i-2}
    private Tensor lastSample; // the (corrected) sample the predictor of step i-1 started from

    /** The float32 form (matches the official code run on the CPU, and the fixtures). */
    public FlowUniPcSolver(FlowSchedule schedule) {
        this(schedule, false);
    }

    /**
     * @param bf16HistoryTerms round the history terms to bf16 as the official bf16-autocast GPU run does
     */
    public FlowUniPcSolver(FlowSchedule schedule, boolean bf16HistoryTerms) {
        this.schedule = schedule;
        this.sigmas = schedule.solverSigmas();
        this.bf16HistoryTerms = bf16HistoryTerms;
    }

    /** Whether the history terms are rounded to bf16. */
    public boolean bf16HistoryTerms() {
        return bf16HistoryTerms;
    }

    @Override
    public FlowSchedule schedule() {
        return schedule;
    }

    /**
     * The predictor order at step i of N: {@code min(2, N - i, i + 1)}, i.e. 1 at the first step (no
     * history yet), 1 at the last (lower_order_final), 2 in between.
     */
    public static int order(int i, int steps) {
        return order(i, steps, 0);
    }

    /** The predictor order at step i of N for a trajectory that began at step start. */
    public static int order(int i, int steps, int start) {
        return Math.min(2, Math.min(steps - i, i - start + 1));
    }

    @Override
    public void begin(int i) {
        int n = sigmas.length - 1;
        if (i < 0 || i >= n) {
            throw new IllegalArgumentException("step " + i + " outside 0.." + (n - 1));
        }
        reset();
        start = i;
        next = i;
    }

    @Override
    public Tensor step(Backend be, int i, Tensor x, Tensor v) {
        int n = sigmas.length - 1;
        if (i < 0 || i >= n) {
            throw new IllegalArgumentException("step " + i + " outside 0.." + (n - 1));
        }
        if (i == 0) {
            begin(0);
        } else if (i != next) {
            throw new IllegalStateException("UniPC steps must come in order: expected step " + next + " (or 0 to restart), got " + i);
        }
        try (TensorScope scope = new TensorScope()) {
            Tensor m = scope.track(FlowMatch.x0(be, x, v, sigmas[i]));
            boolean first = i == start;
            Tensor sample = first ? x : scope.track(correct(be, scope, i, m));
            int p = order(i, n, start);
            Tensor out = predict(be, scope, i, p, sample, m);
            if (i == n - 1) {
                reset(); // trajectory finished: nothing to keep
                return out;
            }
            // keep m_i and the predictor's start sample for the next step's corrector
            close(mPrev2);
            mPrev2 = mPrev;
            mPrev = scope.keep(m);
            close(lastSample);
            lastSample = sample == x ? be.combine(new float[] {1f}, x) : scope.keep(sample);
            lastOrder = p;
            next = i + 1;
            return out;
        }
    }

    /** UniC: the corrected x_i from the previous predictor's start sample and the new estimate m_i. */
    private Tensor correct(Backend be, TensorScope scope, int i, Tensor m) {
        UniPcCoefficients.Update u = UniPcCoefficients.corrector(sigmas, i, lastOrder);
        Tensor dCur = scope.track(be.combine(new float[] {1f, -1f}, m, mPrev));
        if (u.order() == 1) {
            return be.combine(new float[] {u.sampleCoeff(), -u.x0Coeff(), -(u.alphaB() * u.rho1())},
                    lastSample, mPrev, dCur);
        }
        Tensor dPrev = scope.track(be.combine(new float[] {1f, -1f}, mPrev2, mPrev));
        if (!bf16HistoryTerms) {
            float c0 = u.alphaB() * (u.rho0() / u.r());
            return be.combine(new float[] {u.sampleCoeff(), -u.x0Coeff(), -c0, -(u.alphaB() * u.rho1())},
                    lastSample, mPrev, dPrev, dCur);
        }
        Tensor d = toBf16AndBack(be, scope, scope.track(be.combine(new float[] {1f / u.r()}, dPrev)));
        Tensor corr = toBf16AndBack(be, scope, scope.track(be.combine(new float[] {Half.roundBf16(u.rho0())}, d)));
        return be.combine(new float[] {u.sampleCoeff(), -u.x0Coeff(), -u.alphaB(), -(u.alphaB() * u.rho1())},
                lastSample, mPrev, corr, dCur);
    }

    /** UniP of order p from the (corrected) sample of step i to x_{i+1}; the result is not tracked. */
    private Tensor predict(Backend be, TensorScope scope, int i, int p, Tensor sample, Tensor m) {
        UniPcCoefficients.Update u = UniPcCoefficients.predictor(sigmas, i, p);
        if (p == 1) {
            return be.combine(new float[] {u.sampleCoeff(), -u.x0Coeff()}, sample, m);
        }
        Tensor diff = scope.track(be.combine(new float[] {1f, -1f}, mPrev, m));
        float halfAlphaB = u.alphaB() * u.rho0(); // rho0 is the fixed 0.5: exact scaling
        if (!bf16HistoryTerms) {
            return be.combine(new float[] {u.sampleCoeff(), -u.x0Coeff(), -(halfAlphaB / u.r())}, sample, m, diff);
        }
        Tensor d = toBf16AndBack(be, scope, scope.track(be.combine(new float[] {1f / u.r()}, diff)));
        Tensor term = toBf16AndBack(be, scope, scope.track(be.combine(new float[] {halfAlphaB}, d)));
        return be.combine(new float[] {u.sampleCoeff(), -u.x0Coeff(), -1f}, sample, m, term);
    }

    /** What a bf16 store does to an F32 tensor: a new F32 tensor of bf16-representable values (tracked). */
    private static Tensor toBf16AndBack(Backend be, TensorScope scope, Tensor t) {
        try (Tensor b = be.convert(t, DType.BF16)) {
            return scope.track(be.convert(b, DType.F32));
        }
    }

    @Override
    public void reset() {
        close(mPrev);
        close(mPrev2);
        close(lastSample);
        mPrev = null;
        mPrev2 = null;
        lastSample = null;
        lastOrder = 0;
        next = 0;
        start = 0;
    }

    private static void close(Tensor t) {
        if (t != null) {
            t.close();
        }
    }
}
