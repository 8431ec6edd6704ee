package dev.surf.bench;

import dev.surf.core.Backend;
import dev.surf.core.Backends;
import dev.surf.core.Tensor;
import dev.surf.models.api.TextEmbedding;
import dev.surf.models.pipeline.Conditioning;
import dev.surf.models.pipeline.RefineStage;
import dev.surf.models.pipeline.ReshiftMode;
import dev.surf.models.pipeline.StagePlan;
import dev.surf.models.pipeline.ModelRole;
import dev.surf.models.pipeline.StageReport;
import dev.surf.models.pipeline.SurfPipeline;
import dev.surf.models.pipeline.VideoSize;
import dev.surf.models.refiner.Refiner;
import dev.surf.models.refiner.RefinerConfig;
import dev.surf.models.sched.SolverKind;
import dev.surf.models.wan.WanConfig;
import dev.surf.models.wan.WanModel;
import dev.surf.models.weights.RandomWeights;
import java.util.Locale;
import java.util.Map;

/**
 * SURF end to end on a device with the real model sizes and random weights: Wan 2.1 T2V-1.3B at
 * 832x480x81 for k of N steps, the rest at half resolution, then the default ~1B Refiner to 1280x720
 * in 10 steps, with classifier-free guidance, against the baseline (the same model, all N steps at
 * 480p). Prints every stage's time and FLOPs and the totals.
 *
 * <pre>.gpu/run.sh java dev.surf.bench.GpuPipelineBench [--steps 40] [--k 10] [--no-baseline] [--no-surf]
 *     [--baseline-size 832x480|1280x720]</pre>
 */
public final class GpuPipelineBench {
    private GpuPipelineBench() {
    }

    public static void main(String[] args) throws Exception {
        int steps = 40;
        int k = 10;
        boolean baseline = true;
        boolean runSurf = true;
        String baselineSize = "832x480";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--k" -> k = Integer.parseInt(args[++i]);
                case "--no-baseline" -> baseline = false;
                case "--no-surf" -> runSurf = false;
                case "--baseline-size" -> baselineSize = args[++i];
                default -> {
                    System.err.println("usage: GpuPipelineBench [--steps N] [--k N] [--no-baseline] [--no-surf] [--baseline-size WxH]");
                    System.exit(2);
                }
            }
        }
        VideoSize size = new VideoSize(832, 480, 81);
        Backend opened;
        try {
            opened = Backends.open("cuda");
        } catch (IllegalArgumentException e) {
            System.err.println("GpuPipelineBench: " + e.getMessage());
            System.exit(1);
            return;
        }
        try (Backend be = opened;
             WanModel base = WanModel.load(new RandomWeights(1), be, WanConfig.T2V_1_3B);
             WanModel refiner = Refiner.random(2, be, RefinerConfig.DEFAULT);
             Tensor ctx = TextEmbedding.standIn("a corgi surfing at sunset", 4096, 77).upload(be);
             Tensor neg = TextEmbedding.standIn("blurry static", 4096, 120).upload(be)) {
            System.out.println("device: " + be.name());
            SurfPipeline p = new SurfPipeline(be, Map.of(ModelRole.BASE, base, ModelRole.REFINER, refiner));
            Conditioning cond = new Conditioning(ctx, neg);
            StagePlan surf = StagePlan.surf(steps, 5.0, SolverKind.UNIPC, 5.0, size, k, 0.5, 2, null,
                    ReshiftMode.FLOW_CONSISTENT, new RefineStage(90, 160, 10, 1.0, 0.0, 1.0));
            double surfSeconds = runSurf ? report("SURF " + k + "-" + (steps - k) + " + refine to 1280x720", p, surf, cond) : Double.NaN;
            if (baseline) {
                VideoSize bs = VideoSize.parse(baselineSize, 81);
                double b = report("baseline, " + steps + " steps at " + baselineSize, p,
                        StagePlan.baseline(steps, 5.0, SolverKind.UNIPC, 5.0, bs), cond);
                System.out.printf(Locale.ROOT, "RESULT,baseline_%s,%d_steps,%.2f%n", baselineSize, steps, b);
                if (runSurf) {
                    System.out.printf(Locale.ROOT, "RESULT,surf_vs_baseline_%s,%d_steps_k%d,%.2f,%.2f%n", baselineSize, steps, k,
                            surfSeconds, b / surfSeconds);
                }
            }
        }
    }

    private static double report(String title, SurfPipeline p, StagePlan plan, Conditioning cond) {
        try (SurfPipeline.Result r = p.run(plan, cond, 7, null, () -> false)) {
            double total = 0;
            double flops = 0;
            System.out.println(title + ":");
            for (StageReport s : r.stages()) {
                System.out.printf(Locale.ROOT, "  %-28s %-12s %4d steps %8.2f s %10.1f TFLOP %7.1f TFLOP/s%n", s.name(), s.latent(),
                        s.steps(), s.seconds(), s.flops().total() / 1e12, s.flops().total() / 1e12 / s.seconds());
                total += s.seconds();
                flops += s.flops().total();
            }
            System.out.printf(Locale.ROOT, "  total %.2f s, %.1f PFLOP%n", total, flops / 1e15);
            return total;
        }
    }
}
