package dev.surf.models.api;

import dev.surf.models.flops.ForwardFlops;
import dev.surf.models.pipeline.StageReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a generation produced and cost.
 *
 * @param latent        the final latent (refined when a refine stage ran)
 * @param preview       the preview latent before refining, or null when there was no refine stage
 * @param seed          the noise seed
 * @param stages        per-stage time and FLOPs
 * @param baselineFlops FLOPs the base model alone would spend at the final size over all steps (the
 *                      paper's baseline), for the speedup estimate
 */
public record GenerationResult(Latent latent, Latent preview, long seed, List<StageReport> stages, ForwardFlops baselineFlops) {

    public GenerationResult {
        stages = List.copyOf(stages);
    }

    public double seconds() {
        return stages.stream().mapToDouble(StageReport::seconds).sum();
    }

    public ForwardFlops flops() {
        return stages.stream().map(StageReport::flops).reduce(ForwardFlops.ZERO, ForwardFlops::plus);
    }

    /**
     * Estimated wall time of the baseline: its FLOPs at the sustained FLOP rate of the first stage
     * (the base model at its own resolution), which is what the base model would achieve.
     */
    public double baselineSecondsEstimate() {
        StageReport first = stages.get(0);
        double rate = first.flops().total() / Math.max(first.seconds(), 1e-9);
        return baselineFlops.total() / rate;
    }

    /** A printable table: stage, latent, steps, seconds, TFLOP and share, then totals and speedup. */
    public List<String> summary() {
        List<String> out = new ArrayList<>();
        double total = flops().total();
        out.add(String.format(Locale.ROOT, "%-28s %-14s %5s %9s %10s %6s", "stage", "latent", "steps", "seconds", "TFLOP", "share"));
        for (StageReport s : stages) {
            out.add(String.format(Locale.ROOT, "%-28s %-14s %5d %9.2f %10.4f %5.1f%%", s.name(), s.latent(), s.steps(),
                    s.seconds(), s.flops().total() / 1e12, 100 * s.flops().total() / Math.max(total, 1)));
        }
        out.add(String.format(Locale.ROOT, "%-28s %-14s %5s %9.2f %10.4f", "total", "", "", seconds(), total / 1e12));
        double base = baselineSecondsEstimate();
        out.add(String.format(Locale.ROOT, "baseline estimate (base model at the final size, all steps): %.4f TFLOP, ~%.2f s; "
                + "speedup %.2fx by time, %.2fx by FLOPs", baselineFlops.total() / 1e12, base, base / Math.max(seconds(), 1e-9),
                baselineFlops.total() / Math.max(total, 1)));
        return out;
    }
}
