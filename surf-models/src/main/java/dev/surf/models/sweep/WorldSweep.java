package dev.surf.models.sweep;

import dev.surf.models.api.GenerationRequest;
import dev.surf.models.api.GenerationResult;
import dev.surf.models.api.SurfEngine;
import dev.surf.models.pipeline.ProgressListener;
import dev.surf.models.refiner.train.VideoQuality;
import dev.surf.models.world.CheckReport;
import dev.surf.models.world.WorldChecker;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The step-division study of the paper's Tab. 4 ("step division in preview stage") over a set of
 * prompts of the small world, measured in pixels and by the prompt checker.
 *
 * <p>For every sample (prompt, seed): the SURF preview for each k (k steps at the base size, the rest
 * at lowScale, no Refiner) and the baseline (the plain sampler at the base size), all with the
 * sample's seed, each decoded by the {@link ClipDecoder}. A preview is upsampled bilinearly to the
 * base size and compared with the decoded baseline by {@link VideoQuality} (PSNR, SSIM); every
 * decoded clip, at its own size, goes to {@link WorldChecker} and its verdict against the prompt.
 * Timing: one untimed warm-up at both resolutions first (as {@link StepDivisionSweep}); the seconds
 * are the sampler's own (stage times), decoding is timed apart.
 */
public final class WorldSweep {
    private WorldSweep() {
    }

    /**
     * The study's outcome.
     *
     * @param rows     one per k, ascending, the baseline (k = steps) included
     * @param measures one per (sample, k), in the order run
     */
    public record Result(List<WorldSweepRow> rows, List<ClipMeasure> measures) {
        public Result {
            rows = List.copyOf(rows);
            measures = List.copyOf(measures);
        }
    }

    /**
     * Runs the study.
     *
     * @param settings the base request: size, steps, shift, guide, solver and negative context (its
     *                 own context and seed are replaced by each sample's; SURF and refine options are ignored)
     * @param ks       switch steps in [1, steps]; k = steps (the baseline) is always measured
     * @throws IllegalArgumentException for no samples or a k outside [1, steps]
     */
    public static Result run(SurfEngine engine, List<SweepCase> cases, GenerationRequest settings, int[] ks, double lowScale,
                             ClipDecoder decoder, ProgressListener listener) {
        if (cases.isEmpty()) {
            throw new IllegalArgumentException("the prompt-set sweep needs at least one sample");
        }
        GenerationRequest first = forCase(settings, cases.get(0));
        StepDivisionSweep.checkKs(ks, first.steps());
        Set<Integer> switches = new LinkedHashSet<>();
        for (int k : ks) {
            if (k != first.steps()) {
                switches.add(k);
            }
        }
        StepDivisionSweep.warmUp(engine, first, lowScale);
        List<ClipMeasure> measures = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            SweepCase c = cases.get(i);
            GenerationRequest base = forCase(settings, c);
            List<Integer> order = new ArrayList<>();
            List<GenerationResult> previews = new ArrayList<>();
            for (int k : switches) {
                previews.add(engine.generate(StepDivisionSweep.preview(base, k, lowScale), listener, () -> false));
                order.add(k);
            }
            GenerationResult baseline = engine.generate(base, listener, () -> false);
            long t0 = System.nanoTime();
            PixelClip ref = decoder.decode(baseline.latent(), c);
            double refDecode = (System.nanoTime() - t0) / 1e9;
            measures.add(measure(base.steps(), i, c, baseline, ref, refDecode, ref, engine));
            for (int j = 0; j < previews.size(); j++) {
                long t1 = System.nanoTime();
                PixelClip p = decoder.decode(previews.get(j).latent(), c);
                double dec = (System.nanoTime() - t1) / 1e9;
                measures.add(measure(order.get(j), i, c, previews.get(j), p, dec, ref, engine));
            }
        }
        List<Integer> all = new ArrayList<>(switches);
        all.add(first.steps());
        all.sort(Integer::compare);
        List<WorldSweepRow> rows = new ArrayList<>();
        for (int k : all) {
            rows.add(WorldSweepRow.of(k, measures.stream().filter(m -> m.k() == k).toList()));
        }
        return new Result(rows, measures);
    }

    /** The request of settings for sample c: its context and seed, no SURF, no refine. */
    static GenerationRequest forCase(GenerationRequest settings, SweepCase c) {
        return StepDivisionSweep.baseline(new GenerationRequest(c.context(), settings.contextNull(), settings.size(), c.seed(),
                settings.steps(), settings.shift(), settings.guide(), settings.solver(), null, null, 0));
    }

    private static ClipMeasure measure(int k, int sample, SweepCase c, GenerationResult g, PixelClip clip, double decodeSeconds,
                                       PixelClip ref, SurfEngine engine) {
        if (clip.frames() != ref.frames()) {
            throw new IllegalStateException("the decoded clip of k = " + k + " has " + clip.frames() + " frames, the baseline "
                    + ref.frames());
        }
        PixelClip up = clip.resized(engine.backend(), ref.height(), ref.width());
        double psnr = VideoQuality.psnr(up.planar(), ref.planar());
        double ssim = VideoQuality.ssim(up.planar(), ref.planar(), ref.frames(), ref.height(), ref.width());
        CheckReport report = WorldChecker.check(clip.checkerFrames(), clip.width(), clip.height());
        CheckReport.Verdict v = report.follows(c.prompt());
        return new ClipMeasure(k, sample, g.seconds(), decodeSeconds, g.flops().total() / 1e12, psnr, ssim, v.colour(), v.motion(),
                v.follows());
    }
}
