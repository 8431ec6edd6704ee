package dev.surf.models.refiner.train;

/**
 * A Gaussian blur kernel as Real-ESRGAN draws it: {@code exp(-0.5 p^T C^-1 p)} on the integer grid of
 * a {@code size x size} window, normalised to sum 1, with covariance
 * {@code C = R(angle) diag(sigmaX^2, sigmaY^2) R(angle)^T}. Isotropic when the two sigmas are equal.
 *
 * @param size   odd window side, at least 1
 * @param sigmaX standard deviation along the rotated x axis, in pixels, positive
 * @param sigmaY standard deviation along the rotated y axis, in pixels, positive
 * @param angle  rotation of the x axis, radians (counter-clockwise in (x right, y down) image axes)
 */
public record BlurKernel(int size, double sigmaX, double sigmaY, double angle) {
    public BlurKernel {
        if (size < 1 || size % 2 == 0) {
            throw new IllegalArgumentException("blur kernel size must be odd and positive, got " + size);
        }
        if (!(sigmaX > 0) || !(sigmaY > 0)) {
            throw new IllegalArgumentException("blur sigmas must be positive, got " + sigmaX + ", " + sigmaY);
        }
    }

    /** An isotropic kernel (no rotation). */
    public static BlurKernel isotropic(int size, double sigma) {
        return new BlurKernel(size, sigma, sigma, 0);
    }

    /** Whether the two sigmas are equal (the angle then does not matter and the blur is separable). */
    public boolean isIsotropic() {
        return sigmaX == sigmaY;
    }

    /** The normalised 2D weights, row-major {@code [size, size]}, row = y offset, column = x offset. */
    public double[] weights2d() {
        double c = Math.cos(angle);
        double s = Math.sin(angle);
        // inverse covariance R diag(1/sx^2, 1/sy^2) R^T
        double ix = 1 / (sigmaX * sigmaX);
        double iy = 1 / (sigmaY * sigmaY);
        double a = c * c * ix + s * s * iy;
        double b = c * s * (ix - iy);
        double d = s * s * ix + c * c * iy;
        int r = size / 2;
        double[] w = new double[size * size];
        double sum = 0;
        for (int y = -r; y <= r; y++) {
            for (int x = -r; x <= r; x++) {
                double v = Math.exp(-0.5 * (a * x * x + 2 * b * x * y + d * y * y));
                w[(y + r) * size + x + r] = v;
                sum += v;
            }
        }
        for (int i = 0; i < w.length; i++) {
            w[i] /= sum;
        }
        return w;
    }

    /**
     * The normalised 1D taps of an isotropic kernel; their outer product is {@link #weights2d()}
     * exactly (the Gaussian and its normalisation factor over the two axes).
     */
    public double[] taps1d() {
        if (!isIsotropic()) {
            throw new IllegalStateException("an anisotropic kernel is not separable on the pixel axes");
        }
        int r = size / 2;
        double[] t = new double[size];
        double sum = 0;
        for (int x = -r; x <= r; x++) {
            t[x + r] = Math.exp(-0.5 * x * x / (sigmaX * sigmaX));
            sum += t[x + r];
        }
        for (int i = 0; i < size; i++) {
            t[i] /= sum;
        }
        return t;
    }
}
