package dev.surf.core.optim;

import dev.surf.core.DType;
import dev.surf.core.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter, "Decoupled Weight Decay Regularization") exactly as
 * {@code torch.optim.AdamW} with amsgrad off: for every trainable parameter p with gradient g, at
 * step t = 1, 2, ...
 * <pre>
 * p  = p * (1 - lr wd)                       decoupled decay, before the update
 * m  = m + (1 - beta1) (g - m)               torch's lerp
 * v  = v beta2 + (1 - beta2) g g
 * p  = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * Element arithmetic is F32 in the order of torch's single-tensor CPU implementation, the bias
 * corrections and step size in double as in its Python code, so results agree with torch to a few
 * F32 ulps. Frozen parameters are skipped (torch skips parameters whose grad is None).
 *
 * <p>The moments m and v are F32 tensors on each parameter's backend; the update itself runs on the
 * host through {@link HostArrays} (the op set has no square root or division), which a fused device
 * kernel may replace later with the same arithmetic.
 */
public final class AdamW implements AutoCloseable {

    /**
     * Hyper-parameters; {@code lr} is the default learning rate of {@link #step()} (a schedule passes
     * its own to {@link #step(double)}).
     */
    public record Config(double lr, double beta1, double beta2, double eps, double weightDecay) {
        /** Checks ranges as torch does (0 &lt;= beta &lt; 1; eps, lr and weight decay at least 0). */
        public Config {
            if (!(lr >= 0) || !(eps >= 0) || !(weightDecay >= 0)) {
                throw new IllegalArgumentException("AdamW: lr, eps and weight decay must be >= 0, got lr=" + lr
                        + " eps=" + eps + " weight_decay=" + weightDecay);
            }
            if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("AdamW: betas must lie in [0, 1), got beta1=" + beta1
                        + " beta2=" + beta2);
            }
        }

        /** torch's defaults with the given learning rate: betas (0.9, 0.999), eps 1e-8, weight decay 0.01. */
        public static Config torchDefaults(double lr) {
            return new Config(lr, 0.9, 0.999, 1e-8, 0.01);
        }
    }

    /** First and second moment of one parameter. */
    private record Moments(Tensor m, Tensor v) {
    }

    private final Config config;
    private final Map<String, Moments> moments = new LinkedHashMap<>();
    private final ParameterSet params;
    private long step;

    /** An optimizer for the trainable parameters of {@code params}, with zero moments at step 0. */
    public AdamW(Config config, ParameterSet params) {
        this.config = config;
        this.params = params;
        for (Parameter p : params.trainable()) {
            moments.put(p.name(), new Moments(p.backend().zeros(DType.F32, p.shape()),
                    p.backend().zeros(DType.F32, p.shape())));
        }
    }

    /** The hyper-parameters. */
    public Config config() {
        return config;
    }

    /** Steps taken so far (the t of the bias correction of the last step). */
    public long stepCount() {
        return step;
    }

    /** Sets the step count, when resuming from a checkpoint. */
    void restoreStepCount(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("AdamW step count must be >= 0, got " + step);
        }
        this.step = step;
    }

    /** The first moment of a trainable parameter. */
    public Tensor firstMoment(String name) {
        return moments(name).m();
    }

    /** The second moment of a trainable parameter. */
    public Tensor secondMoment(String name) {
        return moments(name).v();
    }

    private Moments moments(String name) {
        Moments mv = moments.get(name);
        if (mv == null) {
            throw new IllegalArgumentException("AdamW has no state for '" + name
                    + "' (unknown or frozen parameter)");
        }
        return mv;
    }

    /** One step with the configured learning rate. */
    public void step() {
        step(config.lr());
    }

    /** One step with learning rate {@code lr} (e.g. from an {@link LrSchedule}) on every trainable parameter. */
    public void step(double lr) {
        if (!(lr >= 0)) {
            throw new IllegalArgumentException("AdamW: learning rate must be >= 0, got " + lr);
        }
        step++;
        // Scalars as torch forms them: Python doubles, rounded to F32 where they meet an F32 tensor.
        float decay = (float) (1 - lr * config.weightDecay());
        float w1 = (float) (1 - config.beta1());
        float beta2 = (float) config.beta2();
        float w2 = (float) (1 - config.beta2());
        double bias1 = 1 - Math.pow(config.beta1(), step);
        double bias2 = 1 - Math.pow(config.beta2(), step);
        float negStepSize = (float) -(lr / bias1);
        float bias2Sqrt = (float) Math.sqrt(bias2);
        float eps = (float) config.eps();
        for (Parameter p : params.trainable()) {
            Moments mv = moments(p.name());
            float[] w = HostArrays.load(p.master());
            float[] g = HostArrays.load(p.grad());
            float[] m = HostArrays.load(mv.m());
            float[] v = HostArrays.load(mv.v());
            for (int i = 0; i < w.length; i++) {
                float gi = g[i];
                float wi = w[i] * decay;
                float mi = Math.fma(w1, gi - m[i], m[i]);
                float vi = v[i] * beta2 + w2 * gi * gi;
                float denom = (float) Math.sqrt(vi) / bias2Sqrt + eps;
                w[i] = wi + negStepSize * (mi / denom);
                m[i] = mi;
                v[i] = vi;
            }
            HostArrays.store(w, p.master());
            HostArrays.store(m, mv.m());
            HostArrays.store(v, mv.v());
        }
    }

    /** Closes the moment tensors (not the parameters). */
    @Override
    public void close() {
        for (Moments mv : moments.values()) {
            mv.m().close();
            mv.v().close();
        }
        moments.clear();
    }
}
