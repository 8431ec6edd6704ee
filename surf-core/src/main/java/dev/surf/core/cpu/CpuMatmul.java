package dev.surf.core.cpu;

/**
 * General F32 matrix product on plain arrays, C (+)= op(A) op(B), for the shapes that training needs
 * besides the forward linear: x^T dy (A transposed: the weight gradient) and dy W (neither transposed:
 * the input gradient), and A B^T (the forward linear's layout).
 *
 * <p>Row-major operands addressed by offset and leading dimension: op(A) is m x k, op(B) is k x n,
 * C is m x n. With {@code transA} A is stored k x m (element (i, p) at a[ao + p * lda + i]); with
 * {@code transB} B is stored n x k. Every output element is one sequential chain over p = 0..k-1, so
 * the result does not depend on the thread count.
 *
 * <p>This is the plain reference form (row-parallel, no packing); a blocked kernel may replace the
 * body as long as each element keeps its one chain over k.
 */
public final class CpuMatmul {
    private CpuMatmul() {
    }

    /**
     * C[m x n] = op(A) op(B), or C += op(A) op(B) when {@code accumulate}.
     *
     * @throws IllegalArgumentException when a size is negative or an operand is too short for its
     *                                  offset, leading dimension and extent
     */
    public static void gemm(CpuPool pool, boolean transA, boolean transB, int m, int n, int k,
                            float[] a, int ao, int lda, float[] b, int bo, int ldb,
                            float[] c, int co, int ldc, boolean accumulate) {
        checkOperand("A", a, ao, lda, transA ? k : m, transA ? m : k);
        checkOperand("B", b, bo, ldb, transB ? n : k, transB ? k : n);
        checkOperand("C", c, co, ldc, m, n);
        if (m == 0 || n == 0) {
            return;
        }
        pool.forRange(m, Math.max(1, 4096 / Math.max(1, n)), (lo, hi) -> {
            float[] acc = new float[n];
            for (int i = lo; i < hi; i++) {
                int ci = co + i * ldc;
                if (accumulate) {
                    System.arraycopy(c, ci, acc, 0, n);
                } else {
                    java.util.Arrays.fill(acc, 0f);
                }
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[ao + p * lda + i] : a[ao + i * lda + p];
                    if (transB) {
                        for (int j = 0; j < n; j++) {
                            acc[j] = Math.fma(av, b[bo + j * ldb + p], acc[j]);
                        }
                    } else {
                        int bp = bo + p * ldb;
                        for (int j = 0; j < n; j++) {
                            acc[j] = Math.fma(av, b[bp + j], acc[j]);
                        }
                    }
                }
                System.arraycopy(acc, 0, c, ci, n);
            }
        });
    }

    private static void checkOperand(String name, float[] x, int off, int ld, int rows, int cols) {
        if (rows < 0 || cols < 0 || off < 0 || ld < cols) {
            throw new IllegalArgumentException("gemm: operand " + name + " is " + rows + " x " + cols
                    + " with offset " + off + " and leading dimension " + ld);
        }
        if (rows > 0 && cols > 0 && (long) off + (long) (rows - 1) * ld + cols > x.length) {
            throw new IllegalArgumentException("gemm: operand " + name + " (" + rows + " x " + cols + ", leading dimension "
                    + ld + ", offset " + off + ") needs more than its " + x.length + " elements");
        }
    }
}
