package dev.surf.models.refiner.train;

/**
 * The random choices of one degradation round (blur, resize, noise, JPEG), shared by every frame of a
 * clip so the degradation is temporally consistent.
 *
 * @param blur         the blur kernel, or null when this round skips the blur
 * @param resizeScale  size factor of this round's resize (1 = keep); round 1 scales the HR size, round 2
 *                     the LR size, as Real-ESRGAN's second resize targets {@code lr * scale}
 * @param resizeFilter interpolation of that resize
 * @param noise        the noise, or null when skipped
 * @param jpegQuality  JPEG quality 1..100, or 0 when skipped
 */
public record DegradationRound(BlurKernel blur, double resizeScale, ResizeFilter resizeFilter, NoiseSpec noise,
        int jpegQuality) {
    public DegradationRound {
        if (!(resizeScale > 0) || resizeFilter == null || jpegQuality < 0 || jpegQuality > 100) {
            throw new IllegalArgumentException("bad degradation round: scale " + resizeScale + ", filter "
                    + resizeFilter + ", JPEG quality " + jpegQuality);
        }
    }

    /** The side {@code base * resizeScale}, rounded, at least 1. */
    int scaled(int base) {
        return (int) Math.max(1, Math.round(base * resizeScale));
    }
}
