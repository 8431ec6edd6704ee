package dev.surf.models.refiner.train;

/**
 * The additive noise of one degradation round, as in Real-ESRGAN.
 *
 * @param kind   Gaussian (read noise) or Poisson (shot noise)
 * @param amount Gaussian: the standard deviation in [0, 1] pixel units (Real-ESRGAN's 1..30 are /255);
 *               Poisson: the scale the shot noise is multiplied by
 * @param gray   the same noise on the three channels (luminance noise) instead of one per channel
 */
public record NoiseSpec(Kind kind, double amount, boolean gray) {
    /** Which noise. */
    public enum Kind {
        GAUSSIAN,
        POISSON
    }

    public NoiseSpec {
        if (!(amount >= 0)) {
            throw new IllegalArgumentException("noise amount must be >= 0, got " + amount);
        }
    }
}
