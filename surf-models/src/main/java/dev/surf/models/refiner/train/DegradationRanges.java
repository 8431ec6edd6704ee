package dev.surf.models.refiner.train;

import java.util.SplittableRandom;

/**
 * Where the random choices of one degradation round are drawn from: Real-ESRGAN's defaults
 * ({@code options/train_realesrgan_x4plus.yml}) restricted to the kernels and noises we implement.
 * Blur sigmas are in HR pixels for round 1 and in round-1 output pixels for round 2, as there.
 *
 * @param blurProbability      chance the round blurs at all
 * @param isotropicProbability chance a blur is isotropic rather than anisotropic (Real-ESRGAN's
 *                             kernel_prob 0.45 : 0.25 with the generalized, plateau and sinc kernels left out)
 * @param minKernelSize        smallest odd kernel side
 * @param maxKernelSize        largest odd kernel side; sizes are drawn uniformly among the odd ones
 * @param minSigma             smallest blur sigma (each axis, uniform)
 * @param maxSigma             largest blur sigma
 * @param upProbability        chance the resize enlarges (scale uniform in [1, maxScale])
 * @param downProbability      chance it shrinks (uniform in [minScale, 1]); the rest keeps the size
 * @param minScale             smallest resize factor
 * @param maxScale             largest resize factor
 * @param noiseProbability     chance the round adds noise
 * @param gaussianProbability  chance that noise is Gaussian rather than Poisson
 * @param minNoiseSigma        smallest Gaussian sigma, [0, 1] units
 * @param maxNoiseSigma        largest Gaussian sigma
 * @param minPoissonScale      smallest Poisson scale
 * @param maxPoissonScale      largest Poisson scale
 * @param grayNoiseProbability chance the noise is shared by the channels
 * @param jpegProbability      chance the round re-compresses as JPEG
 * @param minJpegQuality       lowest JPEG quality (uniform integer)
 * @param maxJpegQuality       highest JPEG quality
 */
public record DegradationRanges(double blurProbability, double isotropicProbability, int minKernelSize, int maxKernelSize,
        double minSigma, double maxSigma, double upProbability, double downProbability, double minScale, double maxScale,
        double noiseProbability, double gaussianProbability, double minNoiseSigma, double maxNoiseSigma,
        double minPoissonScale, double maxPoissonScale, double grayNoiseProbability, double jpegProbability,
        int minJpegQuality, int maxJpegQuality) {

    /** Real-ESRGAN's first round: always blurs, resizes, adds noise and re-compresses. */
    public static final DegradationRanges FIRST = new DegradationRanges(1.0, 0.45 / 0.70, 7, 21, 0.2, 3.0, 0.2, 0.7,
            0.15, 1.5, 1.0, 0.5, 1 / 255.0, 30 / 255.0, 0.05, 3.0, 0.4, 1.0, 30, 95);

    /**
     * Real-ESRGAN's second round: smaller ranges, blur skipped one time in five (its second_blur_prob
     * 0.8). Real-ESRGAN always adds the second noise and JPEG; we skip each one time in five as well, so
     * some LR clips carry a single round's artefacts (the brief's "each stage skipped with a probability").
     */
    public static final DegradationRanges SECOND = new DegradationRanges(0.8, 0.45 / 0.70, 7, 21, 0.2, 1.5, 0.3, 0.4,
            0.3, 1.2, 0.8, 0.5, 1 / 255.0, 25 / 255.0, 0.05, 2.5, 0.4, 0.8, 30, 95);

    public DegradationRanges {
        if (minKernelSize < 1 || minKernelSize % 2 == 0 || maxKernelSize < minKernelSize || maxKernelSize % 2 == 0
                || !(minSigma > 0) || maxSigma < minSigma || !(minScale > 0) || minScale > 1 || maxScale < 1
                || upProbability + downProbability > 1 || minJpegQuality < 1 || maxJpegQuality > 100
                || maxJpegQuality < minJpegQuality || maxNoiseSigma < minNoiseSigma || maxPoissonScale < minPoissonScale) {
            throw new IllegalArgumentException("inconsistent degradation ranges: " + this);
        }
    }

    /** Draws one round's choices. The number of draws taken from {@code rng} does not depend on the outcomes. */
    DegradationRound draw(SplittableRandom rng) {
        // every draw is taken unconditionally, so changing one probability does not reshuffle the others
        boolean blur = rng.nextDouble() < blurProbability;
        boolean isotropic = rng.nextDouble() < isotropicProbability;
        int size = minKernelSize + 2 * rng.nextInt((maxKernelSize - minKernelSize) / 2 + 1);
        double sx = uniform(rng, minSigma, maxSigma);
        double sy = uniform(rng, minSigma, maxSigma);
        double angle = uniform(rng, -Math.PI, Math.PI);
        double kind = rng.nextDouble();
        double up = uniform(rng, 1, maxScale);
        double down = uniform(rng, minScale, 1);
        ResizeFilter filter = ResizeFilter.values()[rng.nextInt(ResizeFilter.values().length)];
        boolean noise = rng.nextDouble() < noiseProbability;
        boolean gaussian = rng.nextDouble() < gaussianProbability;
        double sigma = uniform(rng, minNoiseSigma, maxNoiseSigma);
        double poisson = uniform(rng, minPoissonScale, maxPoissonScale);
        boolean gray = rng.nextDouble() < grayNoiseProbability;
        boolean jpeg = rng.nextDouble() < jpegProbability;
        int quality = minJpegQuality + rng.nextInt(maxJpegQuality - minJpegQuality + 1);

        BlurKernel kernel = !blur ? null : isotropic ? BlurKernel.isotropic(size, sx) : new BlurKernel(size, sx, sy, angle);
        double scale = kind < upProbability ? up : kind < upProbability + downProbability ? down : 1.0;
        NoiseSpec spec = !noise ? null : gaussian ? new NoiseSpec(NoiseSpec.Kind.GAUSSIAN, sigma, gray)
                : new NoiseSpec(NoiseSpec.Kind.POISSON, poisson, gray);
        return new DegradationRound(kernel, scale, filter, spec, jpeg ? quality : 0);
    }

    private static double uniform(SplittableRandom rng, double lo, double hi) {
        return lo == hi ? lo : lo + (hi - lo) * rng.nextDouble();
    }
}
