package dev.surf.models.refiner.train;

/**
 * Pixel quality of a clip against its reference, both planar {@code [3, F, H, W]} in [-1, 1] (the
 * VAE's range), measured as on [0, 1] images: PSNR with peak 1, and SSIM (Wang et al. 2004) with an
 * 11 x 11 Gaussian window of sigma 1.5 over the valid region, C1 = 0.01^2, C2 = 0.03^2, averaged over
 * channels and frames. Sums are in double.
 */
public final class VideoQuality {
    private static final int WIN = 11;
    private static final double SIGMA = 1.5;
    private static final double C1 = 1e-4;
    private static final double C2 = 9e-4;
    private static final double[] KERNEL = gaussian();

    private VideoQuality() {
    }

    /** PSNR in dB on the [0, 1] scale; +infinity when equal. */
    public static double psnr(float[] a, float[] reference) {
        check(a, reference);
        double mse = 0;
        for (int i = 0; i < a.length; i++) {
            double d = ((double) a[i] - reference[i]) / 2;
            mse += d * d;
        }
        mse /= a.length;
        return mse == 0 ? Double.POSITIVE_INFINITY : -10 * Math.log10(mse);
    }

    /** Mean SSIM over the 3 F planes of h x w (each at least 11 x 11). */
    public static double ssim(float[] a, float[] reference, int frames, int h, int w) {
        check(a, reference);
        if (a.length != 3L * frames * h * w) {
            throw new IllegalArgumentException("a clip of 3 x " + frames + " x " + h + " x " + w + " has " + 3L * frames * h * w
                    + " values, got " + a.length);
        }
        if (h < WIN || w < WIN) {
            throw new IllegalArgumentException("SSIM needs frames of at least " + WIN + "x" + WIN + ", got " + w + "x" + h);
        }
        double sum = 0;
        int planes = 3 * frames;
        for (int p = 0; p < planes; p++) {
            sum += planeSsim(a, reference, p * h * w, h, w);
        }
        return sum / planes;
    }

    private static double planeSsim(float[] a, float[] b, int off, int h, int w) {
        double sum = 0;
        int n = 0;
        for (int y = 0; y + WIN <= h; y++) {
            for (int x = 0; x + WIN <= w; x++) {
                double ma = 0, mb = 0, aa = 0, bb = 0, ab = 0;
                for (int i = 0; i < WIN; i++) {
                    for (int j = 0; j < WIN; j++) {
                        double k = KERNEL[i] * KERNEL[j];
                        int at = off + (y + i) * w + x + j;
                        double va = (a[at] + 1.0) / 2;
                        double vb = (b[at] + 1.0) / 2;
                        ma += k * va;
                        mb += k * vb;
                        aa += k * va * va;
                        bb += k * vb * vb;
                        ab += k * va * vb;
                    }
                }
                double va = aa - ma * ma;
                double vb = bb - mb * mb;
                double cov = ab - ma * mb;
                sum += (2 * ma * mb + C1) * (2 * cov + C2) / ((ma * ma + mb * mb + C1) * (va + vb + C2));
                n++;
            }
        }
        return sum / n;
    }

    private static double[] gaussian() {
        double[] k = new double[WIN];
        double s = 0;
        for (int i = 0; i < WIN; i++) {
            double d = i - WIN / 2;
            k[i] = Math.exp(-d * d / (2 * SIGMA * SIGMA));
            s += k[i];
        }
        for (int i = 0; i < WIN; i++) {
            k[i] /= s;
        }
        return k;
    }

    private static void check(float[] a, float[] b) {
        if (a.length != b.length || a.length == 0) {
            throw new IllegalArgumentException("clips of " + a.length + " and " + b.length + " values cannot be compared");
        }
    }
}
