package dev.surf.models.refiner.train;

import java.util.SplittableRandom;

/**
 * Every random choice of one clip's degradation, drawn from a {@link SplittableRandom} seeded by the
 * degrader's seed and the clip index alone, so a resumed training run redraws the same parameters.
 *
 * @param first          round 1, drawn from {@link DegradationRanges#FIRST}
 * @param second         round 2, drawn from {@link DegradationRanges#SECOND}
 * @param finalFilter    the interpolation of the last resize to the LR size (uniform over the three)
 * @param jpegBeforeFinalResize whether round 2's JPEG comes before the last resize rather than after
 *                       (Real-ESRGAN draws this order 50:50)
 * @param noiseSeed      seed of the per-frame noise streams ({@link #noiseStream})
 */
public record DegradationParams(DegradationRound first, DegradationRound second, ResizeFilter finalFilter,
        boolean jpegBeforeFinalResize, long noiseSeed) {

    /** Odd 64-bit golden-ratio constant, the increment SplittableRandom itself uses. */
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    /** The parameters of clip {@code clipIndex} under {@code seed}, with Real-ESRGAN's ranges. */
    public static DegradationParams draw(long seed, long clipIndex) {
        return draw(seed, clipIndex, DegradationRanges.FIRST, DegradationRanges.SECOND);
    }

    /** The parameters of clip {@code clipIndex} under {@code seed}, with the given ranges. */
    public static DegradationParams draw(long seed, long clipIndex, DegradationRanges first, DegradationRanges second) {
        SplittableRandom rng = new SplittableRandom(mix(seed, clipIndex));
        DegradationRound r1 = first.draw(rng);
        DegradationRound r2 = second.draw(rng);
        ResizeFilter last = ResizeFilter.values()[rng.nextInt(ResizeFilter.values().length)];
        boolean jpegFirst = rng.nextBoolean();
        return new DegradationParams(r1, r2, last, jpegFirst, rng.nextLong());
    }

    /** The noise stream of one frame and round: independent noise per frame, the same for the same clip. */
    SplittableRandom noiseStream(int frame, int round) {
        return new SplittableRandom(mix(noiseSeed, 2L * frame + round));
    }

    /**
     * A well-spread 64-bit seed from two values: Stafford's mix13 (the finaliser SplittableRandom uses)
     * of {@code a} plus a golden-ratio multiple of the mixed {@code b}, so neighbouring indices land far apart.
     */
    static long mix(long a, long b) {
        return mix64(a + GOLDEN * mix64(b));
    }

    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
