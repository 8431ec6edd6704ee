package dev.surf.models.refiner.train;

import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.ResizeMode;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.models.sched.FlowSchedule;
import dev.surf.models.sched.Solver;
import dev.surf.models.sched.SolverKind;
import dev.surf.models.train.TrainingData;
import dev.surf.models.vae.WanVaeDecoder;
import dev.surf.models.wan.TextContext;
import dev.surf.models.wan.WanModel;
import java.io.IOException;
import java.util.List;

/**
 * Validation of a Refiner on held-out clips, at the clip length the data serves now:
 * <ul>
 * <li>{@code val_loss}: the flow-mapping loss, mean over the clips and the fixed flow times
 *     {@link #TIMES}, of {@code mean((v(z_s, 1000 s) - (z_lr - z_hr))^2)};</li>
 * <li>{@code mse_refined}, {@code mse_preview}: the latent MSE against z_hr of the refined latent (Euler
 *     over the refine schedule from z_lr, as the pipeline's refine stage) and of z_lr itself (the
 *     un-refined, upscaled preview);</li>
 * <li>with a VAE decoder, PSNR and SSIM ({@link VideoQuality}) against the HR frames of: the decoded
 *     refined latent, the LR frames upscaled bilinearly in pixel space, and the decoded z_lr.</li>
 * </ul>
 */
public final class RefinerValidation {
    /** The flow times of the validation loss. */
    public static final double[] TIMES = {0.1, 0.3, 0.5, 0.7, 0.9};

    /** CSV column names, in {@link Scores#values()} order. */
    public static final List<String> COLUMNS = List.of("val_loss", "mse_refined", "mse_preview", "psnr_refined", "ssim_refined",
            "psnr_bilinear", "ssim_bilinear", "psnr_preview", "ssim_preview");

    /** One validation; the pixel scores are NaN without a decoder. */
    public record Scores(double loss, double mseRefined, double msePreview, double psnrRefined, double ssimRefined,
                         double psnrBilinear, double ssimBilinear, double psnrPreview, double ssimPreview) {
        /** In {@link #COLUMNS} order. */
        public double[] values() {
            return new double[] {loss, mseRefined, msePreview, psnrRefined, ssimRefined, psnrBilinear, ssimBilinear, psnrPreview,
                ssimPreview};
        }
    }

    private RefinerValidation() {
    }

    /**
     * Scores the model on every clip of {@code data}.
     *
     * @param decoder     the VAE decoder for the pixel scores, or null for latent scores only
     * @param refineSteps Euler steps of the refine (the pipeline's default is 10)
     * @param shift       timestep shift of the refine schedule
     */
    public static Scores evaluate(WanModel model, RefinerData data, WanVaeDecoder decoder, int refineSteps, double shift)
            throws IOException {
        Backend be = model.backend();
        int n = data.size();
        double[] sums = new double[COLUMNS.size()];
        for (int i = 0; i < n; i++) {
            try (TrainingData.Example ex = data.get(i, be); TextContext text = model.prepareText(List.of(ex.context()));
                 Tensor target = be.combine(new float[] {1, -1}, ex.source(), ex.latent())) {
                for (double s : TIMES) {
                    try (Tensor zs = be.combine(new float[] {(float) (1 - s), (float) s}, ex.latent(), ex.source());
                         Tensor v = model.forward(zs, new float[] {(float) (1000 * s)}, text)) {
                        sums[0] += mse(be, v, target) / TIMES.length;
                    }
                }
                try (Tensor refined = refine(model, ex.source(), text, refineSteps, shift)) {
                    sums[1] += mse(be, refined, ex.latent());
                    sums[2] += mse(be, ex.source(), ex.latent());
                    if (decoder != null) {
                        pixelScores(data, i, decoder, refined, ex.source(), sums);
                    }
                }
            }
        }
        for (int j = 0; j < sums.length; j++) {
            sums[j] = decoder == null && j >= 3 ? Double.NaN : sums[j] / n;
        }
        return new Scores(sums[0], sums[1], sums[2], sums[3], sums[4], sums[5], sums[6], sums[7], sums[8]);
    }

    /** Euler from z_lr at sigma 1 to sigma 0 over the refine schedule, as SurfPipeline's refine stage runs it. */
    static Tensor refine(WanModel model, Tensor zLr, TextContext text, int steps, double shift) {
        Backend be = model.backend();
        FlowSchedule sched = SolverKind.EULER.schedule(steps, shift);
        Tensor x = be.convert(zLr, DType.F32);
        try (Solver solver = SolverKind.EULER.create(sched)) {
            solver.begin(0);
            for (int i = 0; i < steps; i++) {
                try (Tensor v = model.forward(x, new float[] {sched.modelTimestep(i)}, text)) {
                    Tensor next = solver.step(be, i, x, v);
                    x.close();
                    x = next;
                }
            }
            return x;
        } catch (RuntimeException e) {
            x.close();
            throw e;
        }
    }

    private static void pixelScores(RefinerData data, int i, WanVaeDecoder decoder, Tensor refined, Tensor zLr, double[] sums)
            throws IOException {
        Backend be = decoder.backend();
        int f = data.frames();
        float[] hrAll = data.hrPixels(i);
        float[] lrAll = data.lrPixels(i, hrAll);
        TrainingClips.Clip c = data.clip(i);
        int full = c.frames();
        float[] hr;
        float[] bilinear;
        int h = data.settings().hrHeight();
        int w = data.settings().hrWidth();
        int lh = data.settings().lrHeight();
        int lw = data.settings().lrWidth();
        try (Tensor hrT = be.fromFloats(hrAll, Shape.of(3, full, h, w)); Tensor hrF = be.narrow(hrT, 1, 0, f);
             Tensor lrT = be.fromFloats(lrAll, Shape.of(3, full, lh, lw)); Tensor lrF = be.narrow(lrT, 1, 0, f);
             Tensor up = be.resize(lrF, h, w, ResizeMode.BILINEAR)) {
            hr = be.toFloats(hrF);
            bilinear = clamp(be.toFloats(up));
        }
        float[] ref = decode(decoder, refined);
        float[] pre = decode(decoder, zLr);
        sums[3] += VideoQuality.psnr(ref, hr);
        sums[4] += VideoQuality.ssim(ref, hr, f, h, w);
        sums[5] += VideoQuality.psnr(bilinear, hr);
        sums[6] += VideoQuality.ssim(bilinear, hr, f, h, w);
        sums[7] += VideoQuality.psnr(pre, hr);
        sums[8] += VideoQuality.ssim(pre, hr, f, h, w);
    }

    private static float[] decode(WanVaeDecoder decoder, Tensor z) {
        try (Tensor px = decoder.decodeAll(z, true)) {
            return decoder.backend().toFloats(px);
        }
    }

    private static float[] clamp(float[] v) {
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.max(-1f, Math.min(1f, v[i]));
        }
        return v;
    }

    private static double mse(Backend be, Tensor a, Tensor b) {
        float[] x = be.toFloats(a);
        float[] y = be.toFloats(b);
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            double d = (double) x[i] - y[i];
            s += d * d;
        }
        return s / x.length;
    }
}
