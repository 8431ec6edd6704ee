package dev.surf.models.sweep;

import dev.surf.core.Backend;
import dev.surf.core.ResizeMode;
import dev.surf.core.Tensor;
import dev.surf.models.api.GenerationRequest;
import dev.surf.models.api.GenerationResult;
import dev.surf.models.api.Latent;
import dev.surf.models.api.SurfEngine;
import dev.surf.models.api.SurfOptions;
import dev.surf.models.pipeline.ProgressListener;
import dev.surf.models.pipeline.ReshiftMode;
import java.util.ArrayList;
import java.util.List;

/**
 * The paper's step-division study (Tab. 4) as a reproducible experiment on any model: the baseline
 * and one SURF preview per k with the same seed, each preview compared with the baseline's final
 * latent downscaled (bilinear, per frame) to the preview size. An untimed warm-up runs first and the
 * baseline last, so no timed run carries JIT start-up cost.
 */
public final class StepDivisionSweep {
    private StepDivisionSweep() {
    }

    /** Runs the baseline of request, then SURF previews for each k; the baseline is the row k = steps. */
    public static List<SweepRow> run(SurfEngine engine, GenerationRequest request, int[] ks, double lowScale,
                                     ProgressListener listener) {
        GenerationRequest base = baseline(request);
        checkKs(ks, base.steps());
        warmUp(engine, base, lowScale);
        List<GenerationResult> previews = new ArrayList<>();
        List<Integer> switched = new ArrayList<>();
        for (int k : ks) {
            if (k == base.steps() || switched.contains(k)) {
                continue;
            }
            previews.add(engine.generate(preview(base, k, lowScale), listener, () -> false));
            switched.add(k);
        }
        GenerationResult baseline = engine.generate(base, listener, () -> false);
        List<SweepRow> rows = new ArrayList<>();
        rows.add(new SweepRow(base.steps(), baseline.seconds(), 0, baseline.flops().total() / 1e12, 1.0, Double.POSITIVE_INFINITY));
        for (int i = 0; i < previews.size(); i++) {
            GenerationResult g = previews.get(i);
            float[] ref = downscaled(engine.backend(), baseline.latent(), g.latent().height(), g.latent().width());
            float[] p = g.latent().values();
            double sig = g.stages().get(0).seconds();
            double low = g.stages().size() > 1 ? g.stages().get(1).seconds() : 0;
            rows.add(new SweepRow(switched.get(i), sig, low, g.flops().total() / 1e12, LatentMetrics.cosine(p, ref),
                    LatentMetrics.psnr(p, ref)));
        }
        rows.sort((a, b) -> Integer.compare(a.k(), b.k()));
        return rows;
    }

    /** The plain sampler's request of request: no SURF, no refine, no small-model segments. */
    static GenerationRequest baseline(GenerationRequest request) {
        GenerationRequest base = request.withoutRefine();
        return new GenerationRequest(base.context(), base.contextNull(), base.size(), base.seed(), base.steps(), base.shift(),
                base.guide(), base.solver(), null, null, 0);
    }

    /** The SURF preview of base switching after k steps to the low-resolution stage at lowScale. */
    static GenerationRequest preview(GenerationRequest base, int k, double lowScale) {
        return new GenerationRequest(base.context(), base.contextNull(), base.size(), base.seed(), base.steps(),
                base.shift(), base.guide(), base.solver(), new SurfOptions(k, lowScale, null, ReshiftMode.FLOW_CONSISTENT), null, 0);
    }

    static void checkKs(int[] ks, int steps) {
        for (int k : ks) {
            if (k < 1 || k > steps) {
                throw new IllegalArgumentException("k = " + k + " is outside [1, " + steps + "]");
            }
        }
    }

    /** Untimed short runs at both resolutions, so no timed run pays for JIT compilation. */
    static void warmUp(SurfEngine engine, GenerationRequest base, double lowScale) {
        int warm = Math.min(4, base.steps());
        for (int rep = 0; rep < 2; rep++) {
            engine.generate(new GenerationRequest(base.context(), base.contextNull(), base.size(), base.seed(), warm, base.shift(),
                    base.guide(), base.solver(), warm > 1 ? new SurfOptions(warm / 2, lowScale, null, ReshiftMode.FLOW_CONSISTENT) : null,
                    null, 0), ProgressListener.NONE, () -> false);
        }
    }

    private static float[] downscaled(Backend be, Latent l, int h, int w) {
        try (Tensor t = l.upload(be); Tensor d = be.resize(t, h, w, ResizeMode.BILINEAR)) {
            return be.toFloats(d);
        }
    }
}
