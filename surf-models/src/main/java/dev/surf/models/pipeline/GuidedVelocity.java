package dev.surf.models.pipeline;

import dev.surf.core.Tensor;
import dev.surf.core.TensorScope;
import dev.surf.models.sched.Guidance;
import dev.surf.models.wan.TextContext;
import dev.surf.models.wan.WanModel;
import java.util.List;

/**
 * The velocity a sampler integrates: the model's prediction with classifier-free guidance
 * v_u + g (v_c - v_u). The conditional and unconditional passes run as one batch of two (the
 * official code runs two batch-1 passes with the same result). With g = 1 only the conditional
 * pass runs. Text keys and values are prepared once for all steps.
 */
final class GuidedVelocity implements AutoCloseable {
    private final WanModel model;
    private final float guide;
    private final TextContext text;

    GuidedVelocity(WanModel model, Conditioning cond, double guide) {
        this.model = model;
        this.guide = (float) guide;
        boolean guided = guide != 1.0;
        if (guided && cond.contextNull() == null) {
            throw new IllegalArgumentException("guidance scale " + guide + " needs a negative-prompt context (context_null)");
        }
        this.text = model.prepareText(guided ? List.of(cond.context(), cond.contextNull()) : List.of(cond.context()));
    }

    boolean guided() {
        return text.batch() == 2;
    }

    /** v at sample x [C, F, H, W] and model timestep t: a new F32 tensor. */
    Tensor at(Tensor x, float t) {
        var be = model.backend();
        if (!guided()) {
            return model.forward(x, new float[] {t}, text);
        }
        try (TensorScope s = new TensorScope()) {
            int[] d = x.shape().dims();
            Tensor one = x.view(1, d[0], d[1], d[2], d[3]);
            Tensor pair = s.track(be.concat(0, one, one));
            Tensor v = s.track(model.forward(pair, new float[] {t, t}, text));
            Tensor vc = v.slice(0, 1).view(x.shape());
            Tensor vu = v.slice(1, 2).view(x.shape());
            return Guidance.cfg(be, vu, vc, guide);
        }
    }

    @Override
    public void close() {
        text.close();
    }
}
