package dev.surf.models.pipeline;

import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.ResizeMode;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.models.sched.FlowMatch;
import dev.surf.models.sched.FlowSchedule;
import dev.surf.models.sched.Solver;
import dev.surf.models.sched.SolverKind;
import dev.surf.models.wan.WanConfig;
import dev.surf.models.wan.WanModel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * Runs {@link StagePlan}s: the baseline, SURF's noise-reshifted preview, SRDiffusion-style model
 * switches, and the Refiner's flow mapping.
 *
 * <p>A run prices its plan once ({@link #price}, a {@link PricedPlan}) before any compute, so a plan
 * the loaded models cannot run fails first; the ETA and every {@link StageReport} read that price.
 * Every stage, sampling segment or refine, then goes through the same step loop: a fresh solver
 * trajectory over the stage's steps, one guided velocity per step, progress after each.
 *
 * <p>Noise streams (Philox offsets under the generation seed): 0 for the initial latent, 1 + j for
 * the switch into segment j, 1000 for the refine stage's start noise (the Refiner's, or the noise of
 * the training-free refine at s0). A (seed, plan) pair therefore gives
 * the same latent on every backend and thread count.
 *
 * <p>At a switch into segment j at step k, the clean-latent estimate is the x0 prediction of the
 * last model call of the previous segment, m_{k-1} = x_{k-1} - sigma_{k-1} v_{k-1}; with Euler this
 * equals the paper's x_k - sigma_k v_{k-1}, and it needs no extra model evaluation, so a "10-30"
 * division costs exactly 10 + 30 calls. The next segment starts a fresh solver trajectory at step k.
 */
public final class SurfPipeline {
    /** Philox offset of the Refiner's start noise. */
    static final long REFINE_NOISE_STREAM = 1000;

    private final Backend be;
    private final Map<ModelRole, WanModel> models;
    private final long refineNoiseStream;

    /**
     * @param models the models by role: {@link ModelRole#BASE} (required), {@link ModelRole#SMALL} for
     *               SRDiffusion segments, {@link ModelRole#REFINER} for refine stages (absent when only
     *               previews are made)
     */
    public SurfPipeline(Backend be, Map<ModelRole, WanModel> models) {
        this(be, models, REFINE_NOISE_STREAM);
    }

    /**
     * With another stream for the refine stage's noise: tests give the training-free refine the
     * sampler's own starting noise (stream 0) to compare it with the plain sampler.
     */
    SurfPipeline(Backend be, Map<ModelRole, WanModel> models, long refineNoiseStream) {
        if (!models.containsKey(ModelRole.BASE)) {
            throw new IllegalArgumentException("the pipeline needs a BASE model");
        }
        this.be = be;
        this.models = Collections.unmodifiableMap(new EnumMap<>(models));
        this.refineNoiseStream = refineNoiseStream;
    }

    public Backend backend() {
        return be;
    }

    /**
     * The plan priced with the loaded models, after checking that they can run it: every role it
     * names is loaded and every latent size divides into that model's patches.
     *
     * @throws IllegalArgumentException naming what does not fit
     */
    public PricedPlan price(StagePlan plan) {
        Map<ModelRole, WanConfig> configs = new EnumMap<>(ModelRole.class);
        for (Map.Entry<ModelRole, WanModel> m : models.entrySet()) {
            WanConfig c = m.getValue().config();
            configs.put(m.getKey(), c);
            if (m.getKey().samples()) {
                plan.checkPatch(m.getKey(), c.patchH(), c.patchW());
            }
        }
        if (plan.refine() != null) {
            checkRefine(plan.refine());
        }
        return PricedPlan.of(plan, configs, refinerWindow());
    }

    /** Runs the sampling segments of the plan and returns the preview (the refine stage is not run). */
    public Preview preview(StagePlan plan, Conditioning cond, long seed, ProgressListener listener, BooleanSupplier cancelled) {
        PricedPlan priced = price(plan.withRefine(null));
        return sample(plan, priced, cond, seed, new Clock(be, listener, priced.stepFlops()), cancelled);
    }

    /** Runs the whole plan: the segments, then the refine stage when the plan has one. */
    public Result run(StagePlan plan, Conditioning cond, long seed, ProgressListener listener, BooleanSupplier cancelled) {
        PricedPlan priced = price(plan);
        Clock clock = new Clock(be, listener, priced.stepFlops());
        Preview p = sample(plan, priced, cond, seed, clock, cancelled);
        if (plan.refine() == null) {
            return new Result(p, null, p.stages());
        }
        Refined r;
        try {
            r = refine(p.latent(), plan.refine(), plan.solver(), priced.refine(), cond, seed, clock, cancelled);
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
        List<StageReport> all = new ArrayList<>(p.stages());
        all.add(r.report());
        return new Result(p, r.latent(), all);
    }

    /** Refines a preview to the stage's target size (the preview stays usable and owned by the caller). */
    public Result refine(Preview preview, RefineStage stage, Conditioning cond, ProgressListener listener,
                         BooleanSupplier cancelled) {
        checkRefine(stage);
        SolverKind solver = preview.plan().solver();
        ModelRole role = refiningRole(stage);
        PricedPlan priced = PricedPlan.refineOnly(stage, solver, preview.latent().dim(1), role, models.get(role).config(),
                refinerWindow());
        Clock clock = new Clock(be, listener, priced.stepFlops());
        Refined r = refine(preview.latent(), stage, solver, priced.refine(), cond, preview.seed(), clock, cancelled);
        List<StageReport> all = new ArrayList<>(preview.stages());
        all.add(r.report());
        return new Result(null, r.latent(), all);
    }

    /**
     * The outcome of a run: the preview it made (null when an existing preview was refined), the
     * refined latent (null without a refine stage), and every stage's report. Owns both latents.
     */
    public record Result(Preview preview, Tensor refined, List<StageReport> stages) implements AutoCloseable {
        /** The final latent: refined when there is one, else the preview. */
        public Tensor latent() {
            return refined != null ? refined : preview.latent();
        }

        @Override
        public void close() {
            if (preview != null) {
                preview.close();
            }
            if (refined != null) {
                refined.close();
            }
        }
    }

    /** The sampling segments: initial noise, then each segment, reshifting into it when the size or schedule changes. */
    private Preview sample(StagePlan plan, PricedPlan priced, Conditioning cond, long seed, Clock clock, BooleanSupplier cancelled) {
        List<Segment> segments = plan.segments();
        List<PricedPlan.Stage> prices = priced.segments();
        List<StageReport> reports = new ArrayList<>();
        Segment first = segments.get(0);
        Tensor x = be.empty(DType.F32, Shape.of(models.get(first.role()).config().inDim(), plan.latentFrames(),
                first.latentHeight(), first.latentWidth()));
        Tensor x0 = null;
        try {
            be.fillNormal(x, seed, 0);
            for (int j = 0; j < segments.size(); j++) {
                Segment seg = segments.get(j);
                FlowSchedule sched = plan.solver().schedule(plan.steps(), seg.shift() == null ? plan.shift() : seg.shift());
                if (x0 != null) {
                    Tensor next = NoiseReshift.apply(be, x0, seg.latentHeight(), seg.latentWidth(),
                            sched.solverSigma(seg.firstStep()), seed, 1 + j, plan.reshift(), plan.downscale());
                    x.close();
                    x = next;
                    x0.close();
                    x0 = null;
                }
                Stage stage = new Stage(stageName(plan, j, seg), models.get(seg.role()), plan.solver(), sched, seg.firstStep(),
                        seg.endStep(), plan.guide(), prices.get(j));
                boolean reshiftNext = j + 1 < segments.size() && resizes(seg, segments.get(j + 1));
                double start = clock.elapsed();
                Tensor in = x;
                x = null;
                Stepped out = steps(stage, in, reshiftNext, cond, clock, cancelled);
                x = out.x();
                x0 = out.x0();
                reports.add(stage.report(clock.elapsed() - start));
            }
            Preview p = new Preview(x, seed, plan, reports);
            x = null;
            return p;
        } finally {
            if (x != null) {
                x.close();
            }
            if (x0 != null) {
                x0.close();
            }
        }
    }

    private record Refined(Tensor latent, StageReport report) {
    }

    /**
     * The refine stage: the Refiner's flow mapping, or the training-free refine with the base model
     * ({@link #refineFromBase}) when the stage says so.
     */
    private Refined refine(Tensor previewLatent, RefineStage stage, SolverKind planSolver, PricedPlan.Stage price,
                           Conditioning cond, long seed, Clock clock, BooleanSupplier cancelled) {
        if (stage.base() != null) {
            return refineFromBase(previewLatent, stage, planSolver, price, cond, seed, clock, cancelled);
        }
        return flowMapping(previewLatent, stage, price, cond, seed, clock, cancelled);
    }

    /** Flow mapping: z_lr = Upscale(preview) at sigma 1, plus optional start noise, to z_hr at sigma 0 in Euler steps. */
    private Refined flowMapping(Tensor previewLatent, RefineStage stage, PricedPlan.Stage price, Conditioning cond, long seed,
                                Clock clock, BooleanSupplier cancelled) {
        String name = "refine " + stage.latentHeight() + "x" + stage.latentWidth();
        double start = clock.elapsed();
        FlowSchedule sched = SolverKind.EULER.schedule(stage.steps(), stage.shift());
        Tensor z = be.resize(previewLatent, stage.latentHeight(), stage.latentWidth(), ResizeMode.BILINEAR);
        if (stage.startNoise() > 0) {
            try (Tensor eps = be.empty(DType.F32, z.shape())) {
                be.fillNormal(eps, seed, refineNoiseStream);
                be.combineInto(z, new float[] {1f, (float) stage.startNoise()}, z, eps);
            } catch (RuntimeException e) {
                z.close();
                throw e;
            }
        }
        Stage s = new Stage(name, models.get(ModelRole.REFINER), SolverKind.EULER, sched, 0, stage.steps(), stage.guide(), price);
        Tensor out = steps(s, z, false, cond, clock, cancelled).x();
        return new Refined(out, s.report(clock.elapsed() - start));
    }

    /**
     * The training-free refine ({@link BaseRefine}): z = (1 - sigma) z_lr + sigma eps at the step of
     * s0 (pure noise at step 0), then the base model's sampler over the rest of the schedule at the
     * target size, on a fresh solver trajectory, windowed along time when the stage asks for it.
     */
    private Refined refineFromBase(Tensor previewLatent, RefineStage stage, SolverKind planSolver, PricedPlan.Stage price,
                                   Conditioning cond, long seed, Clock clock, BooleanSupplier cancelled) {
        ModelRole role = refiningRole(stage);
        String name = "refine " + stage.latentHeight() + "x" + stage.latentWidth() + " [" + role.label() + "]";
        double start = clock.elapsed();
        SolverKind solver = stage.solver(planSolver);
        FlowSchedule sched = stage.schedule(planSolver);
        int first = stage.firstStep(planSolver);
        float sigma = BaseRefine.startLevel(sched, first);
        Tensor z = be.empty(DType.F32, Shape.of(previewLatent.dim(0), previewLatent.dim(1), stage.latentHeight(),
                stage.latentWidth()));
        try {
            be.fillNormal(z, seed, refineNoiseStream);
            if (sigma < 1f) {
                try (Tensor lr = be.resize(previewLatent, stage.latentHeight(), stage.latentWidth(), ResizeMode.BILINEAR)) {
                    be.combineInto(z, new float[] {1f - sigma, sigma}, lr, z);
                }
            }
        } catch (RuntimeException e) {
            z.close();
            throw e;
        }
        WanModel model = models.get(role);
        int window = stage.base().windowFrames();
        try (WanModel view = window == model.windowFrames() ? null : model.withWindow(window)) {
            Stage s = new Stage(name, view != null ? view : model, solver, sched, first, stage.steps(), stage.guide(), price);
            Tensor out = steps(s, z, false, cond, clock, cancelled).x();
            return new Refined(out, s.report(clock.elapsed() - start));
        }
    }

    /**
     * One stage as the step loop runs it: a model under guidance over steps [first, end) of a
     * schedule, with its name and price for the progress and the report.
     */
    private record Stage(String name, WanModel model, SolverKind solver, FlowSchedule schedule, int first, int end, double guide,
                         PricedPlan.Stage price) {
        StageReport report(double seconds) {
            return new StageReport(name, price.role(), price.latent(), end - first, seconds, price.total());
        }
    }

    /** The sample after a stage, and the clean-latent estimate of its last step when asked for (else null). */
    private record Stepped(Tensor x, Tensor x0) {
    }

    /**
     * The one step loop every stage runs through: a fresh solver trajectory from the stage's first
     * step, the guided velocity at each step, progress after each. Takes x over (it is closed even
     * when a step fails) and returns the sample after the last step; with {@code keepX0} also that
     * step's clean-latent estimate x - sigma v, for a noise reshift into the next stage.
     */
    private Stepped steps(Stage s, Tensor x, boolean keepX0, Conditioning cond, Clock clock, BooleanSupplier cancelled) {
        Tensor x0 = null;
        try (Solver solver = s.solver().create(s.schedule()); GuidedVelocity gv = new GuidedVelocity(s.model(), cond, s.guide())) {
            solver.begin(s.first());
            for (int i = s.first(); i < s.end(); i++) {
                checkCancelled(cancelled);
                float sigma = s.schedule().solverSigma(i);
                try (Tensor v = gv.at(x, s.schedule().modelTimestep(i))) {
                    if (keepX0 && i == s.end() - 1) {
                        x0 = FlowMatch.x0(be, x, v, sigma);
                    }
                    clock.latent(s.name(), x, v, sigma);
                    Tensor next = solver.step(be, i, x, v);
                    x.close();
                    x = next;
                }
                be.synchronize();
                clock.step(s.name(), i - s.first() + 1, s.end() - s.first());
            }
            Stepped out = new Stepped(x, x0);
            x = null;
            x0 = null;
            return out;
        } finally {
            if (x != null) {
                x.close();
            }
            if (x0 != null) {
                x0.close();
            }
        }
    }

    /** The refining model (the Refiner, or the base for the training-free refine) must be loaded and its patches must tile the target latent. */
    private void checkRefine(RefineStage stage) {
        if (stage.base() != null) {
            ModelRole role = refiningRole(stage);
            WanConfig bc = models.get(role).config();
            if (stage.latentHeight() % bc.patchH() != 0 || stage.latentWidth() % bc.patchW() != 0) {
                throw new IllegalArgumentException("refine target latent " + stage.latentHeight() + "x" + stage.latentWidth()
                        + " is not divisible by the patch " + bc.patchH() + "x" + bc.patchW() + " of model '" + role.label() + "'");
            }
            if (bc.inDim() != models.get(ModelRole.BASE).config().inDim()) {
                throw new IllegalArgumentException("the refining model has " + bc.inDim() + " latent channels, the base "
                        + models.get(ModelRole.BASE).config().inDim() + ": they must share a latent space");
            }
            return;
        }
        WanModel refiner = models.get(ModelRole.REFINER);
        if (refiner == null) {
            throw new IllegalArgumentException("this plan has a refine stage but no Refiner was loaded");
        }
        WanConfig rc = refiner.config();
        if (stage.latentHeight() % rc.patchH() != 0 || stage.latentWidth() % rc.patchW() != 0) {
            throw new IllegalArgumentException("refine target latent " + stage.latentHeight() + "x" + stage.latentWidth()
                    + " is not divisible by the Refiner's patch " + rc.patchH() + "x" + rc.patchW());
        }
    }

    /** The model that refines this stage ({@link RefineStage#model}) among the loaded ones. */
    private ModelRole refiningRole(RefineStage stage) {
        return stage.model(models.containsKey(ModelRole.REFINER));
    }

    private int refinerWindow() {
        WanModel refiner = models.get(ModelRole.REFINER);
        return refiner == null ? 0 : refiner.windowFrames();
    }

    /**
     * Whether moving from segment a to b needs noise reshifting: a size or schedule change. A model
     * change alone (SRDiffusion) continues the same sample on the same path.
     */
    private static boolean resizes(Segment a, Segment b) {
        return a.latentHeight() != b.latentHeight() || a.latentWidth() != b.latentWidth() || !Objects.equals(a.shift(), b.shift());
    }

    private static String stageName(StagePlan plan, int j, Segment seg) {
        String part = plan.segments().size() == 1 ? "sampling" : j == 0 ? "signature" : "preview";
        String model = seg.role() == ModelRole.BASE ? "" : " [" + seg.role().label() + "]";
        return part + " " + seg.latentHeight() + "x" + seg.latentWidth() + model;
    }

    private static void checkCancelled(BooleanSupplier cancelled) {
        if (cancelled != null && cancelled.getAsBoolean()) {
            throw new CancellationException("generation cancelled");
        }
    }

    /** Wall clock, progress callbacks, and the FLOP-weighted ETA over the priced steps. */
    private static final class Clock {
        private final Backend be;
        private final ProgressListener listener;
        private final long start = System.nanoTime();
        private final double[] flops;
        private double doneFlops;
        private double allFlops;
        private int done;

        Clock(Backend be, ProgressListener listener, double[] flops) {
            this.be = be;
            this.listener = listener == null ? ProgressListener.NONE : listener;
            this.flops = flops;
            for (double f : flops) {
                allFlops += f;
            }
        }

        /** Hands the step's x0 estimate to a listener that wants it. */
        void latent(String stage, Tensor x, Tensor v, float sigma) {
            if (listener.wantsLatents()) {
                try (Tensor x0 = FlowMatch.x0(be, x, v, sigma)) {
                    listener.onLatent(stage, done + 1, x0);
                }
            }
        }

        double elapsed() {
            return (System.nanoTime() - start) / 1e9;
        }

        void step(String stage, int stageStep, int stageSteps) {
            doneFlops += done < flops.length ? flops[done] : 0;
            done++;
            double el = elapsed();
            double eta = doneFlops > 0 ? el / doneFlops * (allFlops - doneFlops) : Double.NaN;
            listener.onStep(new StepProgress(stage, stageStep, stageSteps, done, flops.length, el, eta));
        }
    }
}
