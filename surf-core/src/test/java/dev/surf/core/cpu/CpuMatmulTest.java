package dev.surf.core.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** CpuMatmul against a double-precision triple loop, for all four layouts, offsets and padded rows. */
class CpuMatmulTest {

    @ParameterizedTest
    @CsvSource({"false,false,37,29,53", "true,false,37,29,53", "false,true,37,29,53", "true,true,37,29,53",
            "true,false,1,67,300", "false,false,130,1,17", "false,true,5,300,1", "true,true,64,48,0"})
    void matchesTheDoubleReference(boolean ta, boolean tb, int m, int n, int k) {
        SplittableRandom rnd = new SplittableRandom(m * 1000L + n * 10L + k);
        int lda = (ta ? m : k) + 3;
        int ldb = (tb ? k : n) + 2;
        int ldc = n + 5;
        int ao = 7;
        int bo = 11;
        int co = 4;
        float[] a = random(rnd, ao + (ta ? k : m) * lda);
        float[] b = random(rnd, bo + (tb ? n : k) * ldb);
        float[] c0 = random(rnd, co + m * ldc);
        for (boolean accumulate : new boolean[] {false, true}) {
            float[] want = c0.clone();
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = accumulate ? c0[co + i * ldc + j] : 0;
                    for (int p = 0; p < k; p++) {
                        double av = ta ? a[ao + p * lda + i] : a[ao + i * lda + p];
                        double bv = tb ? b[bo + j * ldb + p] : b[bo + p * ldb + j];
                        s += av * bv;
                    }
                    want[co + i * ldc + j] = (float) s;
                }
            }
            for (int threads : new int[] {1, 3}) {
                float[] c = c0.clone();
                try (CpuPool pool = new CpuPool(threads)) {
                    CpuMatmul.gemm(pool, ta, tb, m, n, k, a, ao, lda, b, bo, ldb, c, co, ldc, accumulate);
                }
                for (int i = 0; i < c.length; i++) {
                    boolean inside = i >= co && (i - co) / ldc < m && (i - co) % ldc < n;
                    double tol = inside ? 1e-5 * Math.sqrt(k + 1) * 4 : 0;
                    assertTrue(Math.abs(c[i] - want[i]) <= tol, "element " + i + ": " + c[i] + " vs " + want[i]);
                }
            }
        }
    }

    @Test
    void sameBitsForAnyThreadCount() {
        SplittableRandom rnd = new SplittableRandom(5);
        float[] a = random(rnd, 200 * 150);
        float[] b = random(rnd, 200 * 90);
        float[] c1 = new float[150 * 90];
        float[] c4 = new float[150 * 90];
        try (CpuPool p1 = new CpuPool(1); CpuPool p4 = new CpuPool(4)) {
            CpuMatmul.gemm(p1, true, false, 150, 90, 200, a, 0, 150, b, 0, 90, c1, 0, 90, false);
            CpuMatmul.gemm(p4, true, false, 150, 90, 200, a, 0, 150, b, 0, 90, c4, 0, 90, false);
        }
        assertArrayEquals(c1, c4);
    }

    /**
     * The blocked path against the plain loop it replaced (one float FMA chain per element over k in
     * increasing order, from 0 or from old C), bit for bit: odd sizes, ragged row panels and column
     * panels, k over several KC blocks, several tiles, and a transposed A cut into several k slices.
     */
    @ParameterizedTest
    @CsvSource({"false,false,97,45,301", "true,false,97,45,301", "false,true,97,45,301", "true,true,97,45,301",
            "true,false,301,257,530", "false,false,5,1,700", "true,true,1,3,2", "false,true,200,600,19"})
    void sameBitsAsThePlainFmaLoop(boolean ta, boolean tb, int m, int n, int k) {
        SplittableRandom rnd = new SplittableRandom(m * 7919L + n * 31L + k);
        int lda = (ta ? m : k) + 1;
        int ldb = (tb ? k : n) + 3;
        int ldc = n + 2;
        float[] a = random(rnd, 3 + (ta ? k : m) * lda);
        float[] b = random(rnd, 5 + (tb ? n : k) * ldb);
        float[] c0 = random(rnd, 1 + m * ldc);
        for (boolean accumulate : new boolean[] {false, true}) {
            float[] want = c0.clone();
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    float s = accumulate ? c0[1 + i * ldc + j] : 0f;
                    for (int p = 0; p < k; p++) {
                        float av = ta ? a[3 + p * lda + i] : a[3 + i * lda + p];
                        float bv = tb ? b[5 + j * ldb + p] : b[5 + p * ldb + j];
                        s = Math.fma(av, bv, s);
                    }
                    want[1 + i * ldc + j] = s;
                }
            }
            // one slice of k, then slices of 256 and of 100 (not a multiple of the KC block)
            for (int slice : new int[] {k, 256, 100}) {
                float[] c = c0.clone();
                try (CpuPool pool = new CpuPool(2)) {
                    CpuMatmul.gemm(pool, ta, tb, m, n, k, a, 3, lda, b, 5, ldb, c, 1, ldc, accumulate, slice);
                }
                assertArrayEquals(want, c, "accumulate " + accumulate + ", k slice " + slice);
            }
        }
    }

    @Test
    void shortOperandsAreRefused() {
        try (CpuPool pool = new CpuPool(1)) {
            assertThrows(IllegalArgumentException.class,
                    () -> CpuMatmul.gemm(pool, false, false, 4, 4, 4, new float[15], 0, 4, new float[16], 0, 4, new float[16], 0, 4, false));
            assertThrows(IllegalArgumentException.class,
                    () -> CpuMatmul.gemm(pool, false, false, 4, 4, 4, new float[16], 0, 3, new float[16], 0, 4, new float[16], 0, 4, false));
        }
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return x;
    }
}
