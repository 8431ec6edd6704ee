package dev.surf.models.pipeline;

import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.ResizeMode;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.models.flops.PlanFlops;
import dev.surf.models.flops.ForwardFlops;
import dev.surf.models.sched.FlowMatch;
import dev.surf.models.sched.FlowSchedule;
import dev.surf.models.sched.Solver;
import dev.surf.models.sched.SolverKind;
import dev.surf.models.wan.WanConfig;
import dev.surf.models.wan.WanModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * Runs {@link StagePlan}s: the baseline, SURF's noise-reshifted preview, SRDiffusion-style model
 * switches, and the Refiner's flow mapping.
 *
 * <p>Noise streams (Philox offsets under the generation seed): 0 for the initial latent, 1 + j for
 * the switch into segment j, 1000 for the Refiner's start noise. A (seed, plan) pair therefore gives
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
    private final Map<String, WanModel> models;
    private final WanModel refiner;

    /**
     * @param models  the sampling models by key ("base", and e.g. "small" for SRDiffusion segments)
     * @param refiner the Refiner, or null when only previews are made
     */
    public SurfPipeline(Backend be, Map<String, WanModel> models, WanModel refiner) {
        if (!models.containsKey("base")) {
            throw new IllegalArgumentException("the pipeline needs a model named 'base'");
        }
        this.be = be;
        this.models = Map.copyOf(models);
        this.refiner = refiner;
    }

    public Backend backend() {
        return be;
    }

    /** Runs the sampling segments of the plan and returns the preview (the refine stage is not run). */
    public Preview preview(StagePlan plan, Conditioning cond, long seed, ProgressListener listener, BooleanSupplier cancelled) {
        Clock clock = new Clock(be, listener, totalSteps(plan, false), stepFlops(plan, false));
        return runSegments(plan, cond, seed, clock, cancelled);
    }

    /** Runs the whole plan: the segments, then the refine stage when the plan has one. */
    public Result run(StagePlan plan, Conditioning cond, long seed, ProgressListener listener, BooleanSupplier cancelled) {
        Clock clock = new Clock(be, listener, totalSteps(plan, true), stepFlops(plan, true));
        Preview p = runSegments(plan, cond, seed, clock, cancelled);
        if (plan.refine() == null) {
            return new Result(p, null, p.stages());
        }
        RefineOutput r;
        try {
            r = refineWith(p.latent(), plan.refine(), cond, seed, clock, cancelled);
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
        List<StageReport> all = new ArrayList<>(p.stages());
        all.add(r.report);
        return new Result(p, r.latent, all);
    }

    /** Refines a preview to the stage's target size (the preview stays usable and owned by the caller). */
    public Result refine(Preview preview, RefineStage stage, Conditioning cond, ProgressListener listener,
                         BooleanSupplier cancelled) {
        StagePlan plan = preview.plan().withRefine(stage);
        Clock clock = new Clock(be, listener, stage.steps(), refineFlops(plan));
        RefineOutput r = refineWith(preview.latent(), stage, cond, preview.seed(), clock, cancelled);
        List<StageReport> all = new ArrayList<>(preview.stages());
        all.add(r.report);
        return new Result(null, r.latent, all);
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

    private Preview runSegments(StagePlan plan, Conditioning cond, long seed, Clock clock, BooleanSupplier cancelled) {
        for (Map.Entry<String, WanModel> m : models.entrySet()) {
            WanConfig c = m.getValue().config();
            plan.checkPatch(m.getKey(), c.patchH(), c.patchW());
        }
        List<StageReport> reports = new ArrayList<>();
        Segment first = plan.segments().get(0);
        Tensor x = be.empty(DType.F32, Shape.of(model(first).config().inDim(), plan.latentFrames(),
                first.latentHeight(), first.latentWidth()));
        Tensor lastX0 = null;
        try {
            be.fillNormal(x, seed, 0);
            for (int j = 0; j < plan.segments().size(); j++) {
                Segment seg = plan.segments().get(j);
                WanModel model = model(seg);
                FlowSchedule sched = plan.solver().schedule(plan.steps(), seg.shift() == null ? plan.shift() : seg.shift());
                if (j > 0 && resizes(plan.segments().get(j - 1), seg)) {
                    Tensor next = NoiseReshift.apply(be, lastX0, seg.latentHeight(), seg.latentWidth(),
                            sched.solverSigma(seg.firstStep()), seed, 1 + j, plan.reshift(), plan.downscale());
                    x.close();
                    x = next;
                }
                if (lastX0 != null) {
                    lastX0.close();
                    lastX0 = null;
                }
                String name = stageName(plan, j, seg);
                double start = clock.elapsed();
                boolean last = j == plan.segments().size() - 1;
                try (Solver solver = plan.solver().create(sched); GuidedVelocity gv = new GuidedVelocity(model, cond, plan.guide())) {
                    solver.begin(seg.firstStep());
                    for (int i = seg.firstStep(); i < seg.endStep(); i++) {
                        checkCancelled(cancelled);
                        try (Tensor v = gv.at(x, sched.modelTimestep(i))) {
                            if (!last && i == seg.endStep() - 1 && resizes(seg, plan.segments().get(j + 1))) {
                                lastX0 = FlowMatch.x0(be, x, v, sched.solverSigma(i));
                            }
                            clock.latent(name, x, v, sched.solverSigma(i));
                            Tensor next = solver.step(be, i, x, v);
                            x.close();
                            x = next;
                        }
                        be.synchronize();
                        clock.step(name, i - seg.firstStep() + 1, seg.steps());
                    }
                }
                ForwardFlops f = PlanFlops.segment(plan, seg, model.config()).total();
                reports.add(new StageReport(name, seg.model(), plan.latentFrames() + "x" + seg.latentHeight() + "x" + seg.latentWidth(),
                        seg.steps(), clock.elapsed() - start, f));
            }
            Preview p = new Preview(x, seed, plan, reports);
            x = null;
            return p;
        } finally {
            if (x != null) {
                x.close();
            }
            if (lastX0 != null) {
                lastX0.close();
            }
        }
    }

    private record RefineOutput(Tensor latent, StageReport report) {
    }

    /** Flow mapping: z_lr = Upscale(preview) at sigma 1 to z_hr at sigma 0 in Euler steps. */
    private RefineOutput refineWith(Tensor previewLatent, RefineStage stage, Conditioning cond, long seed, Clock clock,
                                    BooleanSupplier cancelled) {
        if (refiner == null) {
            throw new IllegalArgumentException("this plan has a refine stage but no Refiner was loaded");
        }
        WanConfig rc = refiner.config();
        if (stage.latentHeight() % rc.patchH() != 0 || stage.latentWidth() % rc.patchW() != 0) {
            throw new IllegalArgumentException("refine target latent " + stage.latentHeight() + "x" + stage.latentWidth()
                    + " is not divisible by the Refiner's patch " + rc.patchH() + "x" + rc.patchW());
        }
        String name = "refine " + stage.latentHeight() + "x" + stage.latentWidth();
        double start = clock.elapsed();
        FlowSchedule sched = SolverKind.EULER.schedule(stage.steps(), stage.shift());
        Tensor z = be.resize(previewLatent, stage.latentHeight(), stage.latentWidth(), ResizeMode.BILINEAR);
        try {
            if (stage.startNoise() > 0) {
                try (Tensor eps = be.empty(DType.F32, z.shape())) {
                    be.fillNormal(eps, seed, REFINE_NOISE_STREAM);
                    be.combineInto(z, new float[] {1f, (float) stage.startNoise()}, z, eps);
                }
            }
            try (Solver solver = SolverKind.EULER.create(sched); GuidedVelocity gv = new GuidedVelocity(refiner, cond, stage.guide())) {
                solver.begin(0);
                for (int i = 0; i < stage.steps(); i++) {
                    checkCancelled(cancelled);
                    try (Tensor v = gv.at(z, sched.modelTimestep(i))) {
                        clock.latent(name, z, v, sched.solverSigma(i));
                        Tensor next = solver.step(be, i, z, v);
                        z.close();
                        z = next;
                    }
                    be.synchronize();
                    clock.step(name, i + 1, stage.steps());
                }
            }
            ForwardFlops f = PlanFlops.refine(planOf(previewLatent, stage), stage, refiner.config(), refiner.windowFrames()).total();
            StageReport report = new StageReport(name, "refiner", z.dim(1) + "x" + stage.latentHeight() + "x" + stage.latentWidth(),
                    stage.steps(), clock.elapsed() - start, f);
            Tensor out = z;
            z = null;
            return new RefineOutput(out, report);
        } finally {
            if (z != null) {
                z.close();
            }
        }
    }

    /**
     * Whether moving from segment a to b needs noise reshifting: a size or schedule change. A model
     * change alone (SRDiffusion) continues the same sample on the same path.
     */
    private static boolean resizes(Segment a, Segment b) {
        return a.latentHeight() != b.latentHeight() || a.latentWidth() != b.latentWidth()
                || !java.util.Objects.equals(a.shift(), b.shift());
    }

    private WanModel model(Segment seg) {
        WanModel m = models.get(seg.model());
        if (m == null) {
            throw new IllegalArgumentException("plan names model '" + seg.model() + "' but only " + models.keySet() + " are loaded");
        }
        return m;
    }

    private static String stageName(StagePlan plan, int j, Segment seg) {
        String role = plan.segments().size() == 1 ? "sampling" : j == 0 ? "signature" : "preview";
        String model = seg.model().equals("base") ? "" : " [" + seg.model() + "]";
        return role + " " + seg.latentHeight() + "x" + seg.latentWidth() + model;
    }

    private static void checkCancelled(BooleanSupplier cancelled) {
        if (cancelled != null && cancelled.getAsBoolean()) {
            throw new CancellationException("generation cancelled");
        }
    }

    /** A minimal plan carrying the preview's frame count, for pricing a refine stage on its own. */
    private static StagePlan planOf(Tensor previewLatent, RefineStage stage) {
        return new StagePlan(1, 1.0, SolverKind.EULER, 1.0, previewLatent.dim(1),
                List.of(new Segment("base", previewLatent.dim(2), previewLatent.dim(3), 0, 1, null)),
                ReshiftMode.FLOW_CONSISTENT, ResizeMode.BILINEAR, stage);
    }

    private int totalSteps(StagePlan plan, boolean withRefine) {
        return plan.steps() + (withRefine && plan.refine() != null ? plan.refine().steps() : 0);
    }

    /** FLOPs of every step of the run in order, for a FLOP-weighted ETA. */
    private double[] stepFlops(StagePlan plan, boolean withRefine) {
        double[] f = new double[totalSteps(plan, withRefine)];
        int at = 0;
        for (Segment seg : plan.segments()) {
            PlanFlops.Stage st = PlanFlops.segment(plan, seg, model(seg).config());
            for (int i = 0; i < seg.steps(); i++) {
                f[at++] = st.total().total() / st.steps();
            }
        }
        if (withRefine && plan.refine() != null) {
            double[] r = refineFlops(plan);
            System.arraycopy(r, 0, f, at, r.length);
        }
        return f;
    }

    private double[] refineFlops(StagePlan plan) {
        double[] f = new double[plan.refine().steps()];
        double per = refiner == null ? 1 : PlanFlops.refine(plan, plan.refine(), refiner.config(), refiner.windowFrames()).total().total() / f.length;
        java.util.Arrays.fill(f, per);
        return f;
    }

    /** Wall clock, progress callbacks, and the FLOP-weighted ETA. */
    private static final class Clock {
        private final Backend be;
        private final ProgressListener listener;
        private final long start = System.nanoTime();
        private final int total;
        private final double[] flops;
        private double doneFlops;
        private double allFlops;
        private int done;

        Clock(Backend be, ProgressListener listener, int total, double[] flops) {
            this.be = be;
            this.listener = listener == null ? ProgressListener.NONE : listener;
            this.total = total;
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
            listener.onStep(new StepProgress(stage, stageStep, stageSteps, done, total, el, eta));
        }
    }
}
