package dev.surf.models.pipeline;

import dev.surf.models.flops.FlopModel;
import dev.surf.models.flops.ForwardFlops;
import dev.surf.models.sched.SolverKind;
import dev.surf.models.wan.WanConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A plan priced once by the {@link FlopModel}: per stage the FLOPs of one forward, the forwards and
 * their total, and per step the FLOPs in run order. The pipeline's ETA and stage reports and
 * {@code surf flops} all read this one object, so they cannot disagree.
 *
 * @param stages every stage in run order: the sampling segments, then the refine stage when there is one
 */
public record PricedPlan(List<Stage> stages) {

    public PricedPlan {
        stages = List.copyOf(stages);
    }

    /**
     * One stage's cost.
     *
     * @param role         the model that runs it
     * @param latentFrames latent frames
     * @param latentHeight latent rows
     * @param latentWidth  latent columns
     * @param steps        model steps
     * @param perForward   FLOPs of one forward at the stage's size
     * @param forwards     forwards of the stage (steps, doubled under guidance)
     * @param refines      true for the refine stage (whichever model runs it), false for a sampling segment
     */
    public record Stage(ModelRole role, int latentFrames, int latentHeight, int latentWidth, int steps, ForwardFlops perForward,
                        int forwards, boolean refines) {

        /** FLOPs of the whole stage. */
        public ForwardFlops total() {
            return perForward.times(forwards);
        }

        /** FLOPs of one of its steps (both guidance passes). */
        public double perStep() {
            return total().total() / steps;
        }

        /** The latent size as "FxHxW". */
        public String latent() {
            return latentFrames + "x" + latentHeight + "x" + latentWidth;
        }
    }

    /**
     * Prices plan: each segment with the configuration of its role, the refine stage (when the plan
     * has one) with {@code configs.get(REFINER)} windowed over {@code refinerWindow} latent frames
     * (0 = global attention), or, for the training-free refine, with the model
     * {@link RefineStage#model} names over the steps it runs from s0 on, windowed as its
     * {@link BaseRefine} says.
     *
     * @throws IllegalArgumentException when a role the plan needs has no configuration
     */
    public static PricedPlan of(StagePlan plan, Map<ModelRole, WanConfig> configs, int refinerWindow) {
        List<Stage> out = new ArrayList<>();
        int forwardsPerStep = plan.guide() != 1.0 ? 2 : 1;
        for (Segment s : plan.segments()) {
            WanConfig c = configs.get(s.role());
            if (c == null) {
                throw new IllegalArgumentException("plan names model '" + s.role().label() + "' but only "
                        + configs.keySet().stream().filter(ModelRole::samples).map(ModelRole::label).toList() + " are loaded");
            }
            ForwardFlops f = FlopModel.forward(c, plan.latentFrames(), s.latentHeight(), s.latentWidth(), 0);
            out.add(new Stage(s.role(), plan.latentFrames(), s.latentHeight(), s.latentWidth(), s.steps(), f,
                    s.steps() * forwardsPerStep, false));
        }
        if (plan.refine() != null) {
            ModelRole role = plan.refine().model(configs.containsKey(ModelRole.REFINER));
            WanConfig r = configs.get(role);
            if (r == null) {
                throw new IllegalArgumentException("this plan has a refine stage but no Refiner was loaded");
            }
            out.add(refineStage(plan.refine(), plan.solver(), plan.latentFrames(), role, r, refinerWindow));
        }
        return new PricedPlan(out);
    }

    /**
     * Prices a refine stage alone, run on a preview of latentFrames frames made with planSolver
     * (refining a finished preview); model is the configuration of role, the model that refines.
     */
    public static PricedPlan refineOnly(RefineStage r, SolverKind planSolver, int latentFrames, ModelRole role, WanConfig model,
                                        int refinerWindow) {
        return new PricedPlan(List.of(refineStage(r, planSolver, latentFrames, role, model, refinerWindow)));
    }

    private static Stage refineStage(RefineStage r, SolverKind planSolver, int latentFrames, ModelRole role, WanConfig arch,
                                     int refinerWindow) {
        int window = r.base() != null ? r.base().windowFrames() : refinerWindow;
        ForwardFlops f = FlopModel.forward(arch, latentFrames, r.latentHeight(), r.latentWidth(), window);
        int steps = r.runSteps(planSolver);
        return new Stage(role, latentFrames, r.latentHeight(), r.latentWidth(), steps, f,
                steps * (r.guide() != 1.0 ? 2 : 1), true);
    }

    /** The sampling segments' stages, in order. */
    public List<Stage> segments() {
        return stages.stream().filter(s -> !s.refines()).toList();
    }

    /** The refine stage, or null when the plan has none. */
    public Stage refine() {
        Stage last = stages.isEmpty() ? null : stages.get(stages.size() - 1);
        return last != null && last.refines() ? last : null;
    }

    /** FLOPs of the whole plan. */
    public ForwardFlops total() {
        return stages.stream().map(Stage::total).reduce(ForwardFlops.ZERO, ForwardFlops::plus);
    }

    /** FLOPs of every step of the run in order, the weights of a FLOP-weighted ETA. */
    public double[] stepFlops() {
        double[] f = new double[stages.stream().mapToInt(Stage::steps).sum()];
        int at = 0;
        for (Stage s : stages) {
            for (int i = 0; i < s.steps(); i++) {
                f[at++] = s.perStep();
            }
        }
        return f;
    }
}
