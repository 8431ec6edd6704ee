package dev.surf.models.refiner.train;

import java.util.Arrays;

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

    /** One plane with {@code r} reflected pixels on every side, so the kernel loops need no index checks. */
    private static float[] padded(float[] in, int base, int h, int w, int r) {
        int pw = w + 2 * r;
        float[] p = new float[(h + 2 * r) * pw];
        for (int y = 0; y < h + 2 * r; y++) {
            int row = base + reflect(y - r, h) * w;
            for (int x = 0; x < pw; x++) {
                p[y * pw + x] = in[row + reflect(x - r, w)];
            }
        }
        return p;
    }

    // The loops below run tap-outer, pixel-inner over a row accumulator so the JIT can vectorise them;
    // each pixel still sums its taps in the same (row, column) order as a per-pixel loop would.

    private static void separable(float[] in, int base, int h, int w, double[] taps, float[] out) {
        int r = taps.length / 2;
        int pw = w + 2 * r;
        float[] p = padded(in, base, h, w, r);
        // horizontal pass over every padded row, so the vertical pass reads its reflected rows too
        double[] rows = new double[(h + 2 * r) * w];
        for (int y = 0; y < h + 2 * r; y++) {
            int ro = y * w;
            for (int k = 0; k < taps.length; k++) {
                double t = taps[k];
                int at = y * pw + k;
                for (int x = 0; x < w; x++) {
                    rows[ro + x] += t * p[at + x];
                }
            }
        }
        double[] acc = new double[w];
        for (int y = 0; y < h; y++) {
            Arrays.fill(acc, 0);
            for (int k = 0; k < taps.length; k++) {
                double t = taps[k];
                int at = (y + k) * w;
                for (int x = 0; x < w; x++) {
                    acc[x] += t * rows[at + x];
                }
            }
            for (int x = 0; x < w; x++) {
                out[base + y * w + x] = (float) acc[x];
            }
        }
    }

    private static void direct(float[] in, int base, int h, int w, double[] weights, int size, float[] out) {
        int r = size / 2;
        int pw = w + 2 * r;
        float[] p = padded(in, base, h, w, r);
        double[] acc = new double[w];
        for (int y = 0; y < h; y++) {
            Arrays.fill(acc, 0);
            for (int ky = 0; ky < size; ky++) {
                for (int kx = 0; kx < size; kx++) {
                    double wt = weights[ky * size + kx];
                    int at = (y + ky) * pw + kx;
                    for (int x = 0; x < w; x++) {
                        acc[x] += wt * p[at + x];
                    }
                }
            }
            for (int x = 0; x < w; x++) {
                out[base + y * w + x] = (float) acc[x];
            }
        }
    }
}
