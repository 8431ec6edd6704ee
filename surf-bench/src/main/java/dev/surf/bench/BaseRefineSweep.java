package dev.surf.bench;

import dev.surf.core.Backend;
import dev.surf.core.ResizeMode;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.models.api.TextEmbedding;
import dev.surf.models.api.TinyModels;
import dev.surf.models.pipeline.BaseRefine;
import dev.surf.models.pipeline.Conditioning;
import dev.surf.models.pipeline.ModelRole;
import dev.surf.models.pipeline.Preview;
import dev.surf.models.pipeline.ProgressListener;
import dev.surf.models.pipeline.RefineStage;
import dev.surf.models.pipeline.ReshiftMode;
import dev.surf.models.pipeline.StagePlan;
import dev.surf.models.pipeline.StageReport;
import dev.surf.models.pipeline.SurfPipeline;
import dev.surf.models.pipeline.VideoSize;
import dev.surf.models.sched.SolverKind;
import dev.surf.models.wan.WanModel;
import dev.surf.models.weights.RandomWeights;
import java.util.Locale;
import java.util.Map;

/**
 * How the training-free refine's start sigma s0 and schedule length were chosen (docs/refiner.md):
 * on the embedded tiny base model, SURF makes a preview (k of N steps at the full latent size, the
 * rest at half), the base model refines it back to the full size from s0 over a schedule of Nr
 * steps, and the result is compared with the baseline sample of the same seed at the full size (the
 * plain sampler over all N steps, which the preview's signature stage shares its noise with). The
 * error is the relative L2 distance ||refined - baseline|| / ||baseline||, averaged over seeds; as
 * bounds the same distance for the upscaled preview alone and for the baseline of another seed (an
 * unrelated sample).
 *
 * <pre>java -cp surf-bench/target/surf-bench.jar dev.surf.bench.BaseRefineSweep [--seeds 4] [--threads 2]</pre>
 */
public final class BaseRefineSweep {
    private static final VideoSize SIZE = new VideoSize(128, 128, 9); // latent 3 x 16 x 16
    private static final int STEPS = 20;
    private static final int[] KS = {5, 10};
    private static final double SHIFT = 5.0;
    private static final double GUIDE = 5.0;
    private static final double[] START_SIGMAS = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0};
    private static final int[] SCHEDULES = {10, 20};

    private BaseRefineSweep() {
    }

    public static void main(String[] args) throws Exception {
        int seeds = 4;
        int threads = 2;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seeds" -> seeds = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + " (--seeds N, --threads N)");
            }
        }
        try (Backend be = new CpuBackend(threads);
             WanModel base = WanModel.load(new RandomWeights(TinyModels.BASE_SEED), be, TinyModels.BASE);
             Tensor ctx = TextEmbedding.standIn("a corgi surfing", TinyModels.BASE.textDim(), 8).upload(be);
             Tensor neg = TextEmbedding.standIn("blurry", TinyModels.BASE.textDim(), 8).upload(be)) {
            SurfPipeline pipeline = new SurfPipeline(be, Map.of(ModelRole.BASE, base));
            Conditioning cond = new Conditioning(ctx, neg);
            StagePlan baseline = StagePlan.baseline(STEPS, SHIFT, SolverKind.UNIPC, GUIDE, SIZE);
            System.out.printf(Locale.ROOT, "tiny base model, %s, UniPC %d steps shift %.0f guide %.0f, %d seeds; baseline %.3f GFLOP%n",
                    SIZE, STEPS, SHIFT, GUIDE, seeds, pipeline.price(baseline).total().total() / 1e9);
            System.out.println("distance: ||x - baseline|| / ||baseline||; low: the same after 2x2 average pooling (structure);"
                    + " high: energy of x - pooled(x) over the baseline's (detail, 1 = as much as the baseline)");
            for (int k : KS) {
                sweep(be, pipeline, cond, baseline, k, seeds);
            }
        }
    }

    /** One SURF switch step k: the refine grid against the baseline, averaged over seeds. */
    private static void sweep(Backend be, SurfPipeline pipeline, Conditioning cond, StagePlan baseline, int k, int seeds) {
        StagePlan surf = StagePlan.surf(STEPS, SHIFT, SolverKind.UNIPC, GUIDE, SIZE, k, 0.5, 2, null, ReshiftMode.FLOW_CONSISTENT, null);
        int rows = START_SIGMAS.length + 1;
        double[][][] m = new double[rows][SCHEDULES.length][3];
        int[][] run = new int[rows][SCHEDULES.length];
        double[][] flops = new double[rows][SCHEDULES.length];
        double[] bilinear = new double[3];
        double[] unrelated = new double[3];
        for (int s = 0; s < seeds; s++) {
            long seed = 1000 + s;
            try (SurfPipeline.Result ref = pipeline.run(baseline, cond, seed, ProgressListener.NONE, () -> false);
                 SurfPipeline.Result other = pipeline.run(baseline, cond, seed + 500, ProgressListener.NONE, () -> false);
                 Preview p = pipeline.preview(surf, cond, seed, ProgressListener.NONE, () -> false);
                 Tensor up = be.resize(p.latent(), 16, 16, ResizeMode.BILINEAR)) {
                float[] truth = be.toFloats(ref.latent());
                add(bilinear, measure(be.toFloats(up), truth), seeds);
                add(unrelated, measure(be.toFloats(other.latent()), truth), seeds);
                for (int a = 0; a < rows; a++) {
                    for (int b = 0; b < SCHEDULES.length; b++) {
                        // the last row: time windows of one latent frame at the default s0
                        BaseRefine how = a < START_SIGMAS.length ? new BaseRefine(START_SIGMAS[a], 0)
                                : new BaseRefine(BaseRefine.DEFAULT_START_SIGMA, 1);
                        RefineStage st = RefineStage.fromBase(16, 16, SCHEDULES[b], SHIFT, GUIDE, how);
                        try (SurfPipeline.Result r = pipeline.refine(p, st, cond, ProgressListener.NONE, () -> false)) {
                            StageReport last = r.stages().get(r.stages().size() - 1);
                            add(m[a][b], measure(be.toFloats(r.latent()), truth), seeds);
                            run[a][b] = last.steps();
                            flops[a][b] = last.flops().total();
                        }
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "%nSURF k = %d of %d at half size (preview %.3f GFLOP): upscaled preview alone %s; baseline of"
                + " another seed %s (distance, low, high)%n", k, STEPS, pipeline.price(surf).total().total() / 1e9,
                fmt(bilinear), fmt(unrelated));
        System.out.printf(Locale.ROOT, "%-9s", "s0");
        for (int n : SCHEDULES) {
            System.out.printf(Locale.ROOT, " | Nr=%-2d run  GFLOP distance    low   high", n);
        }
        System.out.println();
        for (int a = 0; a < rows; a++) {
            System.out.printf(Locale.ROOT, "%-9s", a < START_SIGMAS.length ? String.format(Locale.ROOT, "%.2f", START_SIGMAS[a])
                    : BaseRefine.DEFAULT_START_SIGMA + " w1");
            for (int b = 0; b < SCHEDULES.length; b++) {
                System.out.printf(Locale.ROOT, " | %8d %6.3f %s", run[a][b], flops[a][b] / 1e9, fmt(m[a][b]));
            }
            System.out.println();
        }
    }

    private static void add(double[] acc, double[] x, int n) {
        for (int i = 0; i < acc.length; i++) {
            acc[i] += x[i] / n;
        }
    }

    private static String fmt(double[] x) {
        return String.format(Locale.ROOT, "%8.4f %6.4f %6.3f", x[0], x[1], x[2]);
    }

    /** Distance, low-frequency distance and high-frequency energy ratio of x against truth ([C, F, 16, 16]). */
    private static double[] measure(float[] x, float[] truth) {
        double[] px = pool(x);
        double[] pt = pool(truth);
        double hx = 0;
        double ht = 0;
        int planes = x.length / 256;
        for (int i = 0; i < x.length; i++) {
            int plane = i / 256;
            int h = (i % 256) / 16;
            int w = i % 16;
            int j = plane * 64 + (h / 2) * 8 + w / 2;
            hx += (x[i] - px[j]) * (x[i] - px[j]);
            ht += (truth[i] - pt[j]) * (truth[i] - pt[j]);
        }
        assert planes * 64 == pt.length;
        return new double[] {relative(x, truth), relative(px, pt), hx / ht};
    }

    /** 2x2 average pooling of [planes, 16, 16] in double. */
    private static double[] pool(float[] x) {
        double[] out = new double[x.length / 4];
        for (int i = 0; i < x.length; i++) {
            int plane = i / 256;
            int h = (i % 256) / 16;
            int w = i % 16;
            out[plane * 64 + (h / 2) * 8 + w / 2] += x[i] / 4.0;
        }
        return out;
    }

    private static double relative(double[] x, double[] truth) {
        double d = 0;
        double n = 0;
        for (int i = 0; i < x.length; i++) {
            double e = x[i] - truth[i];
            d += e * e;
            n += truth[i] * truth[i];
        }
        return Math.sqrt(d / n);
    }

    private static double relative(float[] x, float[] truth) {
        double d = 0;
        double n = 0;
        for (int i = 0; i < x.length; i++) {
            double e = (double) x[i] - truth[i];
            d += e * e;
            n += (double) truth[i] * truth[i];
        }
        return Math.sqrt(d / n);
    }
}
