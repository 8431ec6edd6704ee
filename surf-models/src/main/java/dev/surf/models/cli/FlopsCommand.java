package dev.surf.models.cli;

import dev.surf.models.api.TinyModels;
import dev.surf.models.flops.FlopModel;
import dev.surf.models.flops.ForwardFlops;
import dev.surf.models.pipeline.BaseRefine;
import dev.surf.models.pipeline.ModelRole;
import dev.surf.models.pipeline.PricedPlan;
import dev.surf.models.pipeline.RefineStage;
import dev.surf.models.pipeline.ReshiftMode;
import dev.surf.models.pipeline.StagePlan;
import dev.surf.models.pipeline.Limits;
import dev.surf.models.pipeline.VideoSize;
import dev.surf.models.refiner.RefinerConfig;
import dev.surf.models.sched.SolverKind;
import dev.surf.models.sched.WanDefaults;
import dev.surf.models.wan.WanCheckpoint;
import dev.surf.models.wan.WanConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code surf flops}: the FLOP model for a forward, the baseline and a SURF plan. */
@Command(name = "flops", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Print FLOPs per forward (attention / linear / other) and per video for the baseline and a SURF plan.")
final class FlopsCommand implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "wan-t2v-1.3b",
            description = "wan-t2v-1.3b, wan-t2v-14b, tiny, or a checkpoint path (only its config/shapes are read)")
    String model;

    @Option(names = "--width", defaultValue = "832", description = "base width in pixels (default ${DEFAULT-VALUE})")
    int width;

    @Option(names = "--height", defaultValue = "480", description = "base height in pixels (default ${DEFAULT-VALUE})")
    int height;

    @Option(names = "--frames", defaultValue = "81", description = "video frames, 4n+1 (default ${DEFAULT-VALUE})")
    int frames;

    @Option(names = "--steps", defaultValue = "50", description = "sampling steps (default ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--guide", defaultValue = "5.0", description = "guidance scale; > 1 doubles the forwards (default ${DEFAULT-VALUE})")
    double guide;

    @Option(names = "--surf", description = "also price a SURF plan")
    boolean surf;

    @Option(names = "--k", defaultValue = "10", description = "SURF: steps at the base resolution (default ${DEFAULT-VALUE})")
    int k;

    @Option(names = "--low-scale", defaultValue = "0.5", description = "SURF: low-resolution scale (default ${DEFAULT-VALUE})")
    double lowScale;

    @Option(names = "--refine-to", description = "SURF: Refiner target WIDTHxHEIGHT (also the baseline's size)")
    String refineTo;

    @Option(names = "--refine-steps", description = "Refiner steps (default 10); with --refiner base the refine schedule's"
            + " length (default --steps)")
    Integer refineSteps;

    @Option(names = "--window", description = "Refiner window in latent frames (default 4); with --refiner base time windows"
            + " (default 0: global attention)")
    Integer window;

    @Option(names = "--refiner", defaultValue = "refiner", description = "who refines: refiner (the SURF Refiner) or base (the"
            + " training-free refine with the base model, run from --refine-start on; default ${DEFAULT-VALUE})")
    String refiner;

    @Option(names = "--refine-start", description = "with --refiner base: start sigma s0 in (0, 1] (default "
            + BaseRefine.DEFAULT_START_SIGMA + ")")
    Double refineStart;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Limits.steps("steps", steps);
        String by = refiner.toLowerCase(Locale.ROOT);
        if (!by.equals("refiner") && !by.equals("base")) {
            throw new SurfCli.UserException("--refiner must be refiner or base, got " + refiner);
        }
        boolean fromBase = by.equals("base");
        int rSteps = refineSteps != null ? refineSteps : fromBase ? steps : 10;
        Limits.steps("refine steps", rSteps);
        WanConfig c = config();
        VideoSize base = new VideoSize(width, height, frames);
        VideoSize fin = refineTo == null ? base : VideoSize.parse(refineTo, frames);
        boolean guided = guide > 1;
        out.printf(Locale.ROOT, "model: %s (dim %d, %d blocks, %d heads, ffn %d)%n", model, c.dim(), c.numLayers(), c.numHeads(), c.ffnDim());
        for (VideoSize v : fin.equals(base) ? List.of(base) : List.of(base, fin)) {
            ForwardFlops f = FlopModel.forward(c, v.latentFrames(), v.latentHeight(), v.latentWidth(), 0);
            long tokens = (long) v.latentFrames() / c.patchT() * (v.latentHeight() / c.patchH()) * (v.latentWidth() / c.patchW());
            out.printf(Locale.ROOT, "one forward at %s (latent %dx%dx%d, %d tokens): attention %.2f, linear %.2f, other %.2f, total %.2f TFLOP%n",
                    v, v.latentFrames(), v.latentHeight(), v.latentWidth(), tokens, f.attention() / 1e12, f.linear() / 1e12,
                    f.other() / 1e12, f.total() / 1e12);
        }
        ForwardFlops baseline = FlopModel.sampling(FlopModel.forward(c, fin.latentFrames(), fin.latentHeight(), fin.latentWidth(), 0),
                steps, guided);
        out.printf(Locale.ROOT, "baseline at %s: %d steps x %d forwards = %.2f PFLOP%n", fin, steps, guided ? 2 : 1, baseline.total() / 1e15);
        if (!surf) {
            out.flush();
            return 0;
        }
        RefinerConfig rc = model.equalsIgnoreCase("tiny") ? TinyModels.REFINER : RefinerConfig.DEFAULT;
        if (window != null) {
            rc = new RefinerConfig(rc.arch(), window);
        }
        double shift = WanDefaults.T2V.shift();
        RefineStage refine = refineTo == null ? null : fromBase ? baseRefine(fin, rSteps, shift)
                : new RefineStage(fin.latentHeight(), fin.latentWidth(), rSteps, 1.0, 0.0, 1.0);
        StagePlan plan = StagePlan.surf(steps, shift, SolverKind.UNIPC, guide, base, k, lowScale, c.patchH(), null,
                ReshiftMode.FLOW_CONSISTENT, refine);
        PricedPlan priced = PricedPlan.of(plan, fromBase ? Map.of(ModelRole.BASE, c) : Map.of(ModelRole.BASE, c, ModelRole.REFINER,
                rc.arch()), rc.windowFrames());
        double total = priced.total().total();
        String how = refine == null ? "" : fromBase ? ", refine to " + fin.width() + "x" + fin.height() + " with the base model from s0 = "
                + refine.base().startSigma() + " of a " + rSteps + "-step schedule" : ", refine to " + fin.width() + "x" + fin.height()
                + " in " + rSteps + " steps";
        out.printf(Locale.ROOT, "SURF plan (k = %d of %d, low scale %.2f%s):%n", k, steps, lowScale, how);
        out.printf(Locale.ROOT, "  %-8s %-9s %6s %8s %12s %12s %7s%n", "model", "latent", "steps", "forwards", "TFLOP/fwd", "PFLOP", "share");
        for (PricedPlan.Stage s : priced.stages()) {
            out.printf(Locale.ROOT, "  %-8s %-9s %6d %8d %12.2f %12.3f %6.1f%%%n", s.role().label(), s.latentHeight() + "x" + s.latentWidth(),
                    s.steps(), s.forwards(), s.perForward().total() / 1e12, s.total().total() / 1e15, 100 * s.total().total() / total);
        }
        out.printf(Locale.ROOT, "  total %.3f PFLOP; baseline / SURF = %.2fx%n", total / 1e15, baseline.total() / total);
        out.flush();
        return 0;
    }

    /** The training-free refine of --refiner base: the plan's shift and guidance, s0 and the window from the options. */
    private RefineStage baseRefine(VideoSize fin, int rSteps, double shift) {
        try {
            return RefineStage.fromBase(fin.latentHeight(), fin.latentWidth(), rSteps, shift, guide,
                    new BaseRefine(refineStart == null ? BaseRefine.DEFAULT_START_SIGMA : refineStart, window == null ? 0 : window));
        } catch (IllegalArgumentException e) {
            throw new SurfCli.UserException((refineStart != null ? "--refine-start / --window: " : "--window: ") + e.getMessage());
        }
    }

    private WanConfig config() throws Exception {
        if (model.equalsIgnoreCase("tiny")) {
            return TinyModels.BASE;
        }
        WanConfig preset = WanConfig.preset(model);
        if (preset != null) {
            return preset;
        }
        Path p = Path.of(model);
        if (!Files.exists(p)) {
            throw new SurfCli.UserException("--model " + model + " is neither a preset (wan-t2v-1.3b, wan-t2v-14b, tiny) nor an existing path");
        }
        return WanCheckpoint.config(p, null).config();
    }
}
