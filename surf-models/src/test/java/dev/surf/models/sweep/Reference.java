package dev.surf.models.sweep;

/** Double-precision references for the sweep's pixel metrics. */
final class Reference {
    private Reference() {
    }

    /**
     * Bilinear resize of planes [n, h, w] to [n, oh, ow] with half-pixel centres (source coordinate
     * (i + 0.5) in / out - 0.5, clamped at the edges), PyTorch's align_corners = False.
     */
    static double[] bilinear(float[] v, int n, int h, int w, int oh, int ow) {
        double[] out = new double[n * oh * ow];
        for (int p = 0; p < n; p++) {
            for (int y = 0; y < oh; y++) {
                double sy = Math.max(0, (y + 0.5) * h / oh - 0.5);
                int y0 = Math.min((int) Math.floor(sy), h - 1);
                int y1 = Math.min(y0 + 1, h - 1);
                double fy = sy - y0;
                for (int x = 0; x < ow; x++) {
                    double sx = Math.max(0, (x + 0.5) * w / ow - 0.5);
                    int x0 = Math.min((int) Math.floor(sx), w - 1);
                    int x1 = Math.min(x0 + 1, w - 1);
                    double fx = sx - x0;
                    int b = p * h * w;
                    double top = v[b + y0 * w + x0] * (1 - fx) + v[b + y0 * w + x1] * fx;
                    double bot = v[b + y1 * w + x0] * (1 - fx) + v[b + y1 * w + x1] * fx;
                    out[(p * oh + y) * ow + x] = top * (1 - fy) + bot * fy;
                }
            }
        }
        return out;
    }

    /** PSNR in dB of a against ref (both in [-1, 1]) on the [0, 1] scale, peak 1. */
    static double psnr(double[] a, float[] ref) {
        double mse = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (a[i] - ref[i]) / 2;
            mse += d * d;
        }
        return -10 * Math.log10(mse / a.length);
    }
}
