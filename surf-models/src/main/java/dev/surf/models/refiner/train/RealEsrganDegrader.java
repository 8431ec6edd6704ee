package dev.surf.models.refiner.train;

import java.util.stream.IntStream;

/**
 * Real-ESRGAN's second-order degradation model (Wang et al., ICCV-W 2021) applied to video: two rounds
 * of blur, resize, noise and JPEG, then a resize to the LR size, with one set of
 * {@link DegradationParams} per clip shared by all its frames (temporally consistent, as video SR
 * degradation pipelines do) and fresh noise per frame.
 *
 * <p>Per frame, in [0, 1]: round 1 blurs, resizes to {@code hr * scale1}, adds noise, clamps and
 * re-compresses; round 2 (each stage possibly skipped) blurs, resizes to {@code lr * scale2}, adds
 * noise and clamps; then round 2's JPEG and the final resize to {@code lrHeight x lrWidth} in the drawn
 * order. The result is quantised to 8 bits (Real-ESRGAN's final {@code round(x * 255) / 255}) and mapped
 * back to [-1, 1]. Frames are independent and run in parallel; the bytes do not depend on the thread count.
 */
public final class RealEsrganDegrader implements ClipDegrader {
    private final long seed;

    /** A degrader whose draws are a function of {@code seed} and the clip index. */
    public RealEsrganDegrader(long seed) {
        this.seed = seed;
    }

    /** The parameters {@link #degrade} uses for {@code clipIndex}. */
    public DegradationParams params(long clipIndex) {
        return DegradationParams.draw(seed, clipIndex);
    }

    @Override
    public float[] degrade(float[] hr, int frames, int height, int width, int lrHeight, int lrWidth, long clipIndex) {
        if (frames < 1 || height < 1 || width < 1 || lrHeight < 1 || lrWidth < 1) {
            throw new IllegalArgumentException("clip sizes must be positive: " + frames + " frames of " + height + "x"
                    + width + " to " + lrHeight + "x" + lrWidth);
        }
        if (hr.length != (long) RgbFrame.CHANNELS * frames * height * width) {
            throw new IllegalArgumentException("clip of " + hr.length + " floats is not [3, " + frames + ", " + height
                    + ", " + width + "]");
        }
        DegradationParams p = params(clipIndex);
        int hrPlane = height * width;
        int lrPlane = lrHeight * lrWidth;
        float[] lr = new float[RgbFrame.CHANNELS * frames * lrPlane];
        IntStream.range(0, frames).parallel().forEach(f -> {
            float[] px = new float[RgbFrame.CHANNELS * hrPlane];
            for (int c = 0; c < RgbFrame.CHANNELS; c++) {
                int src = (c * frames + f) * hrPlane;
                for (int i = 0; i < hrPlane; i++) {
                    px[c * hrPlane + i] = (hr[src + i] + 1) * 0.5f;
                }
            }
            float[] out = frame(new RgbFrame(px, height, width), p, f, lrHeight, lrWidth).data();
            for (int c = 0; c < RgbFrame.CHANNELS; c++) {
                int dst = (c * frames + f) * lrPlane;
                for (int i = 0; i < lrPlane; i++) {
                    double q = Math.clamp(Math.round(out[c * lrPlane + i] * 255.0), 0, 255) / 255.0;
                    lr[dst + i] = (float) (q * 2 - 1);
                }
            }
        });
        return lr;
    }

    /** One frame through both rounds and the final resize; {@code x} in [0, 1]. */
    static RgbFrame frame(RgbFrame x, DegradationParams p, int frameIndex, int lrHeight, int lrWidth) {
        DegradationRound r1 = p.first();
        x = blurNoise(x, r1, r1.scaled(x.height()), r1.scaled(x.width()), p, frameIndex, 0);
        if (r1.jpegQuality() > 0) {
            x = JpegRecompression.apply(x, r1.jpegQuality());
        }
        DegradationRound r2 = p.second();
        x = blurNoise(x, r2, r2.scaled(lrHeight), r2.scaled(lrWidth), p, frameIndex, 1);
        if (p.jpegBeforeFinalResize() && r2.jpegQuality() > 0) {
            x = JpegRecompression.apply(x, r2.jpegQuality());
        }
        x = clamp01(Resizes.resize(x, lrHeight, lrWidth, p.finalFilter()));
        if (!p.jpegBeforeFinalResize() && r2.jpegQuality() > 0) {
            x = JpegRecompression.apply(x, r2.jpegQuality());
        }
        return x;
    }

    /** A round's blur, resize to {@code h x w} and noise, clamped to [0, 1]. */
    private static RgbFrame blurNoise(RgbFrame x, DegradationRound r, int h, int w, DegradationParams p, int frameIndex,
            int round) {
        if (r.blur() != null) {
            x = GaussianBlur.apply(x, r.blur());
        }
        x = Resizes.resize(x, h, w, r.resizeFilter());
        if (r.noise() != null) {
            x = NoiseInjection.apply(x, r.noise(), p.noiseStream(frameIndex, round));
        }
        return clamp01(x);
    }

    private static RgbFrame clamp01(RgbFrame x) {
        float[] d = x.data().clone();
        for (int i = 0; i < d.length; i++) {
            d[i] = Math.clamp(d[i], 0f, 1f);
        }
        return new RgbFrame(d, x.height(), x.width());
    }
}
