package dev.surf.models.refiner.train;

import java.util.SplittableRandom;

/** Frames the degradation tests share. */
final class TestFrames {
    private TestFrames() {
    }

    /** Independent uniform [0, 1) values on every channel and pixel. */
    static RgbFrame uniform(long seed, int h, int w) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] d = new float[RgbFrame.CHANNELS * h * w];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) r.nextDouble();
        }
        return new RgbFrame(d, h, w);
    }
}
