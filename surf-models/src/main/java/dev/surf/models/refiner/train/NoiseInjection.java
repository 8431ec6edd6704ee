package dev.surf.models.refiner.train;

import java.util.SplittableRandom;

/**
 * Adds Gaussian or Poisson noise to a frame in [0, 1] (Real-ESRGAN's {@code random_add_*_noise_pt}).
 * The result is not clamped here; the pipeline clamps after each noise stage.
 */
final class NoiseInjection {
    /**
     * Photon count of a full-scale pixel: shot noise is {@code Poisson(v * LEVELS) / LEVELS - v}.
     * Real-ESRGAN takes 2^ceil(log2(distinct levels)), which is 256 for any 8-bit image with more than
     * 128 distinct values; we fix it there so the noise does not depend on the image's histogram.
     */
    static final double LEVELS = 256;

    /** BT.601 luma weights, torchvision's rgb_to_grayscale, for gray shot noise. */
    private static final double[] LUMA = {0.299, 0.587, 0.114};

    private NoiseInjection() {
    }

    /** A new frame, {@code frame} plus the noise {@code spec} asks for. */
    static RgbFrame apply(RgbFrame frame, NoiseSpec spec, SplittableRandom rng) {
        return switch (spec.kind()) {
            case GAUSSIAN -> gaussian(frame, spec.amount(), spec.gray(), rng);
            case POISSON -> poisson(frame, spec.amount(), spec.gray(), rng);
        };
    }

    /** Adds N(0, sigma^2): one draw per pixel shared by the channels when {@code gray}, else one per value. */
    static RgbFrame gaussian(RgbFrame frame, double sigma, boolean gray, SplittableRandom rng) {
        float[] in = frame.data();
        float[] out = in.clone();
        int n = frame.planeSize();
        if (gray) {
            for (int p = 0; p < n; p++) {
                double e = sigma * rng.nextGaussian();
                for (int c = 0; c < RgbFrame.CHANNELS; c++) {
                    out[c * n + p] = (float) (in[c * n + p] + e);
                }
            }
        } else {
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) (in[i] + sigma * rng.nextGaussian());
            }
        }
        return new RgbFrame(out, frame.height(), frame.width());
    }

    /**
     * Adds {@code scale * (Poisson(v * LEVELS) / LEVELS - v)} per value (mean 0, variance
     * {@code v * scale^2 / LEVELS}); when {@code gray}, v is the pixel's luma and the noise is shared.
     * Negative values (bicubic overshoot) count as 0 photons.
     */
    static RgbFrame poisson(RgbFrame frame, double scale, boolean gray, SplittableRandom rng) {
        float[] in = frame.data();
        float[] out = in.clone();
        int n = frame.planeSize();
        if (gray) {
            for (int p = 0; p < n; p++) {
                double luma = 0;
                for (int c = 0; c < RgbFrame.CHANNELS; c++) {
                    luma += LUMA[c] * in[c * n + p];
                }
                double e = scale * shot(luma, rng);
                for (int c = 0; c < RgbFrame.CHANNELS; c++) {
                    out[c * n + p] = (float) (in[c * n + p] + e);
                }
            }
        } else {
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) (in[i] + scale * shot(in[i], rng));
            }
        }
        return new RgbFrame(out, frame.height(), frame.width());
    }

    private static double shot(double v, SplittableRandom rng) {
        double mean = Math.max(0, v) * LEVELS;
        return (PoissonSampler.sample(mean, rng) - mean) / LEVELS;
    }
}
