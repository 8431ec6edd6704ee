package dev.surf.models.world;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The analytic pixel coverage against brute-force point sampling and against the shapes' known areas. */
class CoverageTest {
    private interface Area {
        double of(double cx, double cy, double s, double x1, double x2, double y1, double y2);
    }

    private interface Inside {
        boolean at(double cx, double cy, double s, double x, double y);
    }

    private static final Inside IN_CIRCLE = (cx, cy, s, x, y) -> (x - cx) * (x - cx) + (y - cy) * (y - cy) <= s * s / 4;
    private static final Inside IN_SQUARE = (cx, cy, s, x, y) -> Math.abs(x - cx) <= s / 2 && Math.abs(y - cy) <= s / 2;
    // apex (cx, cy - s/2), base corners (cx -+ s/2, cy + s/2)
    private static final Inside IN_TRIANGLE = (cx, cy, s, x, y) -> y <= cy + s / 2 && y >= cy - s / 2 + 2 * Math.abs(x - cx);

    /** Fraction of an n x n grid of sample points (cell centres) of the pixel inside the shape. */
    private static double sampled(Inside in, double cx, double cy, double s, double x1, double y1, int n) {
        int hits = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (in.at(cx, cy, s, x1 + (i + 0.5) / n, y1 + (j + 0.5) / n)) {
                    hits++;
                }
            }
        }
        return hits / (double) (n * n);
    }

    private static void againstSampling(Area a, Inside in, String name) {
        SplittableRandom rng = new SplittableRandom(21);
        int edge = 0;
        double worst = 0;
        for (int t = 0; t < 200; t++) {
            double s = 2 + 10 * rng.nextDouble();
            double cx = 10 * rng.nextDouble();
            double cy = 10 * rng.nextDouble();
            int px = (int) Math.floor(cx - s / 2 - 1 + rng.nextDouble() * (s + 2));
            int py = (int) Math.floor(cy - s / 2 - 1 + rng.nextDouble() * (s + 2));
            double exact = a.of(cx, cy, s, px, px + 1, py, py + 1);
            double ref = sampled(in, cx, cy, s, px, py, 400);
            worst = Math.max(worst, Math.abs(exact - ref));
            if (ref > 0 && ref < 1) {
                edge++;
            }
        }
        // a 400 x 400 grid is off by at most about one row of samples where an edge crosses: 2 / 400
        assertTrue(worst < 5e-3, name + ": worst difference to sampling " + worst);
        assertTrue(edge > 25, name + ": only " + edge + " of the random pixels were on an edge");
    }

    @Test
    void circleMatchesPointSampling() {
        againstSampling(Coverage::circle, IN_CIRCLE, "circle");
    }

    @Test
    void squareMatchesPointSampling() {
        againstSampling(Coverage::square, IN_SQUARE, "square");
    }

    @Test
    void triangleMatchesPointSampling() {
        againstSampling(Coverage::triangle, IN_TRIANGLE, "triangle");
    }

    @Test
    void pixelAreasAddUpToTheShapesArea() {
        double cx = 7.3;
        double cy = 6.85;
        double s = 9.37;
        double[] sums = new double[3];
        for (int y = -2; y < 16; y++) {
            for (int x = -2; x < 16; x++) {
                sums[0] += Coverage.circle(cx, cy, s, x, x + 1, y, y + 1);
                sums[1] += Coverage.square(cx, cy, s, x, x + 1, y, y + 1);
                sums[2] += Coverage.triangle(cx, cy, s, x, x + 1, y, y + 1);
            }
        }
        assertEquals(Math.PI * s * s / 4, sums[0], 1e-9);
        assertEquals(s * s, sums[1], 1e-9);
        assertEquals(s * s / 2, sums[2], 1e-9);
        // one big "pixel" holding the whole shape
        assertEquals(Math.PI * s * s / 4, Coverage.circle(cx, cy, s, -5, 20, -5, 20), 1e-9);
        assertEquals(s * s / 2, Coverage.triangle(cx, cy, s, -5, 20, -5, 20), 1e-9);
    }
}
