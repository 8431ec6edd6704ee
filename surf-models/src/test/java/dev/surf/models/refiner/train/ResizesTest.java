package dev.surf.models.refiner.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ResizesTest {

    @Test
    void areaHalvingIsBlockMeans() {
        RgbFrame f = TestFrames.uniform(1, 4, 4);
        RgbFrame g = Resizes.resize(f, 2, 2, ResizeFilter.AREA);
        float[] d = f.data();
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 2; j++) {
                    int b = c * 16 + 2 * i * 4 + 2 * j;
                    double mean = (d[b] + (double) d[b + 1] + d[b + 4] + d[b + 5]) / 4;
                    assertEquals(mean, g.data()[c * 4 + i * 2 + j], 1e-6);
                }
            }
        }
    }

    /** torch's bilinear, align_corners=false, written from the formula. */
    private static double bilinearAt(float[] d, int base, int inH, int inW, int outH, int outW, int i, int j) {
        double sy = Math.max(0, (i + 0.5) * inH / outH - 0.5);
        double sx = Math.max(0, (j + 0.5) * inW / outW - 0.5);
        int y0 = (int) Math.floor(sy);
        int x0 = (int) Math.floor(sx);
        int y1 = Math.min(y0 + 1, inH - 1);
        int x1 = Math.min(x0 + 1, inW - 1);
        double ly = sy - y0;
        double lx = sx - x0;
        return (1 - ly) * ((1 - lx) * d[base + y0 * inW + x0] + lx * d[base + y0 * inW + x1])
                + ly * ((1 - lx) * d[base + y1 * inW + x0] + lx * d[base + y1 * inW + x1]);
    }

    @Test
    void bilinearMatchesTheAlignCornersFalseFormula() {
        RgbFrame f = TestFrames.uniform(2, 5, 7);
        for (int[] size : new int[][] {{3, 4}, {9, 11}, {5, 3}}) {
            RgbFrame g = Resizes.resize(f, size[0], size[1], ResizeFilter.BILINEAR);
            for (int c = 0; c < 3; c++) {
                for (int i = 0; i < size[0]; i++) {
                    for (int j = 0; j < size[1]; j++) {
                        double want = bilinearAt(f.data(), c * 35, 5, 7, size[0], size[1], i, j);
                        assertEquals(want, g.data()[(c * size[0] + i) * size[1] + j], 1e-6, Arrays.toString(size));
                    }
                }
            }
        }
    }

    @Test
    void bicubicWithKeysHalfReproducesQuadraticsAwayFromTheEdges() {
        // Keys' kernel with a = -0.5 interpolates polynomials up to degree 2 exactly (a = -0.75 would not)
        int n = 12;
        float[] d = new float[3 * n * n];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < n; y++) {
                for (int x = 0; x < n; x++) {
                    d[(c * n + y) * n + x] = (float) (0.01 * (x * x + (c + 1) * y * y) - 0.03 * x * y);
                }
            }
        }
        int out = 19;
        RgbFrame g = Resizes.resize(new RgbFrame(d, n, n), out, out, ResizeFilter.BICUBIC);
        double scale = (double) n / out;
        int checked = 0;
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < out; i++) {
                for (int j = 0; j < out; j++) {
                    double y = (i + 0.5) * scale - 0.5;
                    double x = (j + 0.5) * scale - 0.5;
                    if (y < 1 || x < 1 || y > n - 3 || x > n - 3) {
                        continue; // taps would be clamped to the edge
                    }
                    double want = 0.01 * (x * x + (c + 1) * y * y) - 0.03 * x * y;
                    assertEquals(want, g.data()[(c * out + i) * out + j], 2e-5, i + "," + j);
                    checked++;
                }
            }
        }
        assertEquals(true, checked > 100, "interior points checked: " + checked);
    }

    @Test
    void bicubicWeightsAreKeysKernel() {
        assertEquals(1.0, Resizes.cubic(0), 0);
        assertEquals(0.0, Resizes.cubic(1), 1e-15);
        assertEquals(0.0, Resizes.cubic(2), 0);
        // a = -0.5 at t = 0.5: (1.5/8 - 2.5/4 + 1) and at 1.5: (-0.5*27/8 + 2.5*9/4 - 4*1.5 + 2)
        assertEquals(0.5625, Resizes.cubic(0.5), 1e-15);
        assertEquals(-0.0625, Resizes.cubic(1.5), 1e-15);
    }

    @Test
    void aConstantStaysConstantUnderEveryFilter() {
        float[] d = new float[3 * 6 * 10];
        Arrays.fill(d, 0.61f);
        RgbFrame f = new RgbFrame(d, 6, 10);
        for (ResizeFilter filter : ResizeFilter.values()) {
            for (int[] size : new int[][] {{2, 3}, {13, 7}, {1, 1}}) {
                for (float v : Resizes.resize(f, size[0], size[1], filter).data()) {
                    assertEquals(0.61f, v, 1e-6f, filter + " " + Arrays.toString(size));
                }
            }
        }
    }
}
