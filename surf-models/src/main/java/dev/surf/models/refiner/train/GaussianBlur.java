package dev.surf.models.refiner.train;

/**
 * Convolves every plane of a frame with a {@link BlurKernel}, reflect padding at the borders (torch's
 * {@code F.pad(mode="reflect")}, the padding Real-ESRGAN's {@code filter2D} uses: the edge pixel is not
 * repeated). Isotropic kernels run as two 1D passes, anisotropic ones as a direct 2D sum.
 */
final class GaussianBlur {
    private GaussianBlur() {
    }

    /** A new frame, the blurred {@code frame}. */
    static RgbFrame apply(RgbFrame frame, BlurKernel kernel) {
        int h = frame.height();
        int w = frame.width();
        int n = frame.planeSize();
        float[] out = new float[frame.data().length];
        for (int c = 0; c < RgbFrame.CHANNELS; c++) {
            if (kernel.isIsotropic()) {
                separable(frame.data(), c * n, h, w, kernel.taps1d(), out);
            } else {
                direct(frame.data(), c * n, h, w, kernel.weights2d(), kernel.size(), out);
            }
        }
        return new RgbFrame(out, h, w);
    }

    /** Index {@code i} reflected into [0, n) without repeating the edge, any distance outside. */
    static int reflect(int i, int n) {
        if (n == 1) {
            return 0;
        }
        int period = 2 * (n - 1);
        int m = Math.floorMod(i, period);
        return m < n ? m : period - m;
    }

    private static void separable(float[] in, int base, int h, int w, double[] taps, float[] out) {
        int r = taps.length / 2;
        double[] rows = new double[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double s = 0;
                for (int k = -r; k <= r; k++) {
                    s += taps[k + r] * in[base + y * w + reflect(x + k, w)];
                }
                rows[y * w + x] = s;
            }
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double s = 0;
                for (int k = -r; k <= r; k++) {
                    s += taps[k + r] * rows[reflect(y + k, h) * w + x];
                }
                out[base + y * w + x] = (float) s;
            }
        }
    }

    private static void direct(float[] in, int base, int h, int w, double[] weights, int size, float[] out) {
        int r = size / 2;
        int[] xs = new int[size];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int k = 0; k < size; k++) {
                    xs[k] = reflect(x + k - r, w);
                }
                double s = 0;
                for (int ky = 0; ky < size; ky++) {
                    int row = base + reflect(y + ky - r, h) * w;
                    for (int kx = 0; kx < size; kx++) {
                        s += weights[ky * size + kx] * in[row + xs[kx]];
                    }
                }
                out[base + y * w + x] = (float) s;
            }
        }
    }
}
