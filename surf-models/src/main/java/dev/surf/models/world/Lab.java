package dev.surf.models.world;

/**
 * CIE L*a*b* (D65) of sRGB values, for naming colours by perceptual distance: sRGB decoded to linear
 * light (IEC 61966-2-1), to XYZ with the sRGB primaries' matrix, to Lab with the D65 white point.
 * Distances are CIE76 Delta E (Euclidean in Lab).
 */
final class Lab {
    private static final double XN = 0.95047;
    private static final double YN = 1.0;
    private static final double ZN = 1.08883;

    private Lab() {
    }

    /** Lab of sRGB r, g, b in [0, 1]: {L, a, b}. */
    static double[] of(double r, double g, double b) {
        double lr = linear(r);
        double lg = linear(g);
        double lb = linear(b);
        double x = 0.4124564 * lr + 0.3575761 * lg + 0.1804375 * lb;
        double y = 0.2126729 * lr + 0.7151522 * lg + 0.0721750 * lb;
        double z = 0.0193339 * lr + 0.1191920 * lg + 0.9503041 * lb;
        double fx = f(x / XN);
        double fy = f(y / YN);
        double fz = f(z / ZN);
        return new double[] {116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)};
    }

    /** CIE76 Delta E between two Lab colours. */
    static double deltaE(double[] p, double[] q) {
        double dl = p[0] - q[0];
        double da = p[1] - q[1];
        double db = p[2] - q[2];
        return Math.sqrt(dl * dl + da * da + db * db);
    }

    private static double linear(double c) {
        c = Math.max(0, Math.min(1, c));
        return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    }

    private static double f(double t) {
        double d = 6.0 / 29;
        return t > d * d * d ? Math.cbrt(t) : t / (3 * d * d) + 4.0 / 29;
    }
}
