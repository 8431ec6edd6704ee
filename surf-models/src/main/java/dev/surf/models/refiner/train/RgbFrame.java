package dev.surf.models.refiner.train;

/**
 * One video frame inside the degradation pipeline: planar RGB {@code [3, height, width]} in [0, 1]
 * (the range Real-ESRGAN's noise and JPEG levels are defined in).
 */
record RgbFrame(float[] data, int height, int width) {
    static final int CHANNELS = 3;

    RgbFrame {
        if (height < 1 || width < 1 || data.length != (long) CHANNELS * height * width) {
            throw new IllegalArgumentException("frame of " + data.length + " floats is not 3 x " + height + " x " + width);
        }
    }

    int planeSize() {
        return height * width;
    }
}
