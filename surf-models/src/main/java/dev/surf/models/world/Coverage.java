package dev.surf.models.world;

import java.util.Arrays;

/**
 * Exact area of a shape inside one pixel, the renderer's anti-aliasing (analytic coverage, not
 * supersampling). Every shape is written as a vertical extent {@code [lo(x), hi(x)]} over an x range,
 * so the area inside the pixel {@code [x1, x2] x [y1, y2]} is
 * {@code ∫ max(0, min(y2, hi(x)) - max(y1, lo(x))) dx}. Between the x where one of the four terms
 * takes over from another the integrand is one smooth piece: for the square and the triangle a linear
 * one, integrated exactly by the midpoint rule; for the circle {@code ±sqrt(r² - x²)} or a constant,
 * integrated with its antiderivative. Because the area is exact, coverage adds up: the four pixels of a
 * 2x render that make one pixel of the 1x render have the same total (up to rounding).
 *
 * <p>Coordinates are pixels: x to the right, y downwards; the shape's bounding box is the square of
 * side {@code s} centred on {@code (cx, cy)}.
 */
final class Coverage {
    private Coverage() {
    }

    /** Area of the disc of diameter s centred on (cx, cy) inside [x1, x2] x [y1, y2]. */
    static double circle(double cx, double cy, double s, double x1, double x2, double y1, double y2) {
        double r = s / 2;
        // centre the disc at the origin
        x1 -= cx;
        x2 -= cx;
        y1 -= cy;
        y2 -= cy;
        double a = Math.max(x1, -r);
        double b = Math.min(x2, r);
        if (b <= a || y2 <= -r || y1 >= r) {
            return 0;
        }
        double[] cuts = new double[6];
        int n = 0;
        cuts[n++] = a;
        cuts[n++] = b;
        for (double y : new double[] {y1, y2}) {
            if (Math.abs(y) < r) {
                double x = Math.sqrt(r * r - y * y);
                cuts[n++] = x;
                cuts[n++] = -x;
            }
        }
        double[] xs = sortedWithin(cuts, n, a, b);
        double area = 0;
        for (int i = 0; i + 1 < xs.length; i++) {
            double p = xs[i];
            double q = xs[i + 1];
            if (q <= p) {
                continue;
            }
            double m = (p + q) / 2;
            double h = Math.sqrt(Math.max(0, r * r - m * m));
            if (Math.min(y2, h) <= Math.max(y1, -h)) {
                continue;
            }
            double arc = halfChordIntegral(q, r) - halfChordIntegral(p, r);
            double top = y2 < h ? y2 * (q - p) : arc;
            double bottom = y1 > -h ? y1 * (q - p) : -arc;
            area += top - bottom;
        }
        return area;
    }

    /** ∫ sqrt(r² - x²) dx from 0 to x (|x| <= r). */
    private static double halfChordIntegral(double x, double r) {
        double t = Math.max(-1, Math.min(1, x / r));
        return 0.5 * (x * Math.sqrt(Math.max(0, r * r - x * x)) + r * r * Math.asin(t));
    }

    /** Area of the axis-aligned square of side s centred on (cx, cy) inside the pixel. */
    static double square(double cx, double cy, double s, double x1, double x2, double y1, double y2) {
        double w = Math.min(x2, cx + s / 2) - Math.max(x1, cx - s / 2);
        double h = Math.min(y2, cy + s / 2) - Math.max(y1, cy - s / 2);
        return w > 0 && h > 0 ? w * h : 0;
    }

    /**
     * Area of the upward isosceles triangle with base = height = s in its bounding box (apex at the top
     * centre (cx, cy - s/2), base along the bottom edge) inside the pixel.
     */
    static double triangle(double cx, double cy, double s, double x1, double x2, double y1, double y2) {
        double apex = cy - s / 2;
        double base = cy + s / 2;
        double a = Math.max(x1, cx - s / 2);
        double b = Math.min(x2, cx + s / 2);
        if (b <= a || y2 <= apex || y1 >= base) {
            return 0;
        }
        // the slanted edges: top(x) = apex + 2 |x - cx|; it crosses y at |x - cx| = (y - apex) / 2
        double[] cuts = {a, b, cx, cx - (y1 - apex) / 2, cx + (y1 - apex) / 2, cx - (y2 - apex) / 2, cx + (y2 - apex) / 2};
        double[] xs = sortedWithin(cuts, cuts.length, a, b);
        double area = 0;
        for (int i = 0; i + 1 < xs.length; i++) {
            double p = xs[i];
            double q = xs[i + 1];
            if (q > p) {
                double m = (p + q) / 2; // the integrand is linear on [p, q]: the midpoint rule is exact
                double top = apex + 2 * Math.abs(m - cx);
                double len = Math.min(y2, base) - Math.max(y1, top);
                area += len > 0 ? len * (q - p) : 0;
            }
        }
        return area;
    }

    /** The first n cuts clamped into [a, b], sorted. */
    private static double[] sortedWithin(double[] cuts, int n, double a, double b) {
        double[] xs = new double[n];
        for (int i = 0; i < n; i++) {
            xs[i] = Math.max(a, Math.min(b, cuts[i]));
        }
        Arrays.sort(xs);
        return xs;
    }
}
