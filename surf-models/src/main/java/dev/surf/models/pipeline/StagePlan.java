package dev.surf.models.pipeline;

import dev.surf.core.ResizeMode;
import dev.surf.models.sched.SolverKind;
import java.util.ArrayList;
import java.util.List;

/**
 * A generation plan as data: contiguous segments over one sampling schedule (model, latent size,
 * step range each), the noise re-injection at each switch, and an optional refine stage. The
 * baseline is one segment over all steps; SURF is a full-resolution segment for steps [0, k), a
 * low-resolution one for [k, N), then the Refiner. Segments may name different models of the same
 * latent space (SRDiffusion), and that composes with reshifting.
 *
 * @param steps        schedule length N
 * @param shift        timestep shift of the schedule
 * @param solver       sampler
 * @param guide        classifier-free guidance scale (1 = conditional pass only)
 * @param latentFrames latent frames (constant across segments: resizing is spatial only)
 * @param segments     contiguous, covering [0, steps)
 * @param reshift      re-noising form at the switches
 * @param downscale    latent resize used at the switches
 * @param refine       refine stage, or null for a preview only
 */
public record StagePlan(int steps, double shift, SolverKind solver, double guide, int latentFrames,
                        List<Segment> segments, ReshiftMode reshift, ResizeMode downscale, RefineStage refine) {

    public StagePlan {
        Limits.steps("steps", steps);
        if (!(shift > 0 && Double.isFinite(shift))) {
            throw new IllegalArgumentException("shift must be positive and finite, got " + shift);
        }
        if (!(guide >= 1 && Double.isFinite(guide))) {
            throw new IllegalArgumentException("guidance scale must be >= 1, got " + guide);
        }
        if (latentFrames < 1) {
            throw new IllegalArgumentException("latent frames must be >= 1, got " + latentFrames);
        }
        if (segments == null || segments.isEmpty()) {
            throw new IllegalArgumentException("a plan needs at least one segment");
        }
        segments = List.copyOf(segments);
        int at = 0;
        for (Segment s : segments) {
            if (s.firstStep() != at) {
                throw new IllegalArgumentException("segments must be contiguous from step 0: a segment starts at step "
                        + s.firstStep() + " where step " + at + " was expected");
            }
            at = s.endStep();
        }
        if (at != steps) {
            throw new IllegalArgumentException("segments end at step " + at + " but the schedule has " + steps + " steps");
        }
        if (solver == null || reshift == null || downscale == null) {
            throw new IllegalArgumentException("solver, reshift and downscale must be given");
        }
    }

    /** Checks the latent size of every segment the role runs against its model's patch; message names the segment. */
    public void checkPatch(ModelRole role, int patchH, int patchW) {
        for (int i = 0; i < segments.size(); i++) {
            Segment s = segments.get(i);
            if (s.role() == role && (s.latentHeight() % patchH != 0 || s.latentWidth() % patchW != 0)) {
                throw new IllegalArgumentException("segment " + i + " latent size " + s.latentHeight() + "x" + s.latentWidth()
                        + " is not divisible by the patch " + patchH + "x" + patchW + " of model '" + role.label() + "'");
            }
        }
    }

    /** The baseline: the base model over all steps at one size. */
    public static StagePlan baseline(int steps, double shift, SolverKind solver, double guide, VideoSize size) {
        return new StagePlan(steps, shift, solver, guide, size.latentFrames(),
                List.of(new Segment(ModelRole.BASE, size.latentHeight(), size.latentWidth(), 0, steps, null)),
                ReshiftMode.FLOW_CONSISTENT, ResizeMode.BILINEAR, null);
    }

    /**
     * SURF's preview: steps [0, k) at the base size, [k, steps) at the base latent size scaled by
     * lowScale (rounded to the nearest multiple of the patch), then the optional refine stage.
     * k = steps gives the baseline (no switch).
     *
     * @param lowShift shift of the low-resolution segment, or null for the same schedule
     */
    public static StagePlan surf(int steps, double shift, SolverKind solver, double guide, VideoSize size, int k,
                                 double lowScale, int patch, Double lowShift, ReshiftMode reshift, RefineStage refine) {
        if (k < 1 || k > steps) {
            throw new IllegalArgumentException("switch step k = " + k + " must be in [1, " + steps + "] (k = "
                    + steps + " is the baseline)");
        }
        if (!(lowScale > 0 && lowScale <= 1)) {
            throw new IllegalArgumentException("low-resolution scale must be in (0, 1], got " + lowScale);
        }
        int lh = scaled(size.latentHeight(), lowScale, patch);
        int lw = scaled(size.latentWidth(), lowScale, patch);
        List<Segment> segs = new ArrayList<>();
        segs.add(new Segment(ModelRole.BASE, size.latentHeight(), size.latentWidth(), 0, k, null));
        if (k < steps) {
            segs.add(new Segment(ModelRole.BASE, lh, lw, k, steps, lowShift));
        }
        return new StagePlan(steps, shift, solver, guide, size.latentFrames(), segs, reshift, ResizeMode.BILINEAR, refine);
    }

    /** n * scale rounded to the nearest positive multiple of patch. */
    static int scaled(int n, double scale, int patch) {
        long m = Math.round(n * scale / patch);
        if (m < 1) {
            throw new IllegalArgumentException("scale " + scale + " shrinks a latent side of " + n
                    + " below one patch of " + patch + ": nothing would be left");
        }
        return (int) (m * patch);
    }

    /**
     * SRDiffusion-style split: from step {@code from} on, segments run on the model of {@code role}
     * (usually {@link ModelRole#SMALL}, a second model of the same latent space) instead; the segment
     * containing that step is cut in two (same size, so no re-noising happens there). Composes with a
     * resolution switch.
     */
    public StagePlan withModelFrom(int from, ModelRole role) {
        if (from < 1 || from >= steps) {
            throw new IllegalArgumentException("model switch step " + from + " must be in [1, " + (steps - 1) + "]");
        }
        List<Segment> out = new ArrayList<>();
        for (Segment s : segments) {
            if (s.endStep() <= from) {
                out.add(s);
            } else if (s.firstStep() >= from) {
                out.add(new Segment(role, s.latentHeight(), s.latentWidth(), s.firstStep(), s.endStep(), s.shift()));
            } else {
                out.add(new Segment(s.role(), s.latentHeight(), s.latentWidth(), s.firstStep(), from, s.shift()));
                out.add(new Segment(role, s.latentHeight(), s.latentWidth(), from, s.endStep(), s.shift()));
            }
        }
        return new StagePlan(steps, shift, solver, guide, latentFrames, out, reshift, downscale, refine);
    }

    /** A copy with another refine stage (or none). */
    public StagePlan withRefine(RefineStage r) {
        return new StagePlan(steps, shift, solver, guide, latentFrames, segments, reshift, downscale, r);
    }
}
