package dev.surf.models.flops;

import dev.surf.models.pipeline.RefineStage;
import dev.surf.models.pipeline.Segment;
import dev.surf.models.pipeline.StagePlan;
import dev.surf.models.refiner.RefinerConfig;
import dev.surf.models.wan.WanConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** FLOPs of every stage of a {@link StagePlan}, from the {@link FlopModel}: what the CLI prints and the pipeline reports. */
public final class PlanFlops {
    private PlanFlops() {
    }

    /**
     * One stage's cost.
     *
     * @param perForward FLOPs of one forward at the stage's size
     * @param forwards   forwards of the stage (steps, doubled under guidance)
     */
    public record Stage(String model, int latentHeight, int latentWidth, int steps, ForwardFlops perForward, int forwards) {
        public ForwardFlops total() {
            return perForward.times(forwards);
        }
    }

    /** The cost of segment s of the plan, run by a model with config c. */
    public static Stage segment(StagePlan plan, Segment s, WanConfig c) {
        ForwardFlops f = FlopModel.forward(c, plan.latentFrames(), s.latentHeight(), s.latentWidth(), 0);
        return new Stage(s.model(), s.latentHeight(), s.latentWidth(), s.steps(), f, s.steps() * (plan.guide() != 1.0 ? 2 : 1));
    }

    /** The cost of the refine stage with a Refiner of the given architecture and window (0 = global). */
    public static Stage refine(StagePlan plan, RefineStage r, WanConfig arch, int windowFrames) {
        ForwardFlops f = FlopModel.forward(arch, plan.latentFrames(), r.latentHeight(), r.latentWidth(), windowFrames);
        return new Stage("refiner", r.latentHeight(), r.latentWidth(), r.steps(), f, r.steps() * (r.guide() != 1.0 ? 2 : 1));
    }

    /** Every stage in order: the segments, then the refine stage when the plan has one (and rc is given). */
    public static List<Stage> stages(StagePlan plan, Map<String, WanConfig> models, RefinerConfig rc) {
        List<Stage> out = new ArrayList<>();
        for (Segment s : plan.segments()) {
            WanConfig c = models.get(s.model());
            if (c == null) {
                throw new IllegalArgumentException("no model named '" + s.model() + "' for the FLOP count");
            }
            out.add(segment(plan, s, c));
        }
        if (plan.refine() != null && rc != null) {
            out.add(refine(plan, plan.refine(), rc.arch(), rc.windowFrames()));
        }
        return out;
    }
}
