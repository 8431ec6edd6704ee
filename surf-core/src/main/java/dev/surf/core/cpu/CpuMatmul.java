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
 * <p>The product runs on the forward GEMM's blocked path ({@link CpuGemm#blocked}: B packed into
 * micro-panels, whatever its layout, A read in place by the MR x NR register kernel). A transposed A
 * is first transposed into a row-major scratch block, a bounded slice of k at a time; each slice
 * continues the chains of the previous one from the stored C values, which are the exact floats the
 * chains had reached, so slicing does not change a bit.
 */
public final class CpuMatmul {
    /**
     * Scratch bound for the transposed copy of A: about this many floats (64 MiB) per slice of k,
     * and at least one KC block per slice. Each slice costs one more pass over C and the pool: with
     * 256-long slices (an earlier 16 MiB bound) the 8960 x 1536 x 1560 weight gradient ran at
     * 36 GFLOP/s against 43-57 for the other shapes; 64 MiB keeps the DiT shapes in one or two slices.
     */
    static final int TRANSPOSE_FLOATS = 1 << 24;

    private CpuMatmul() {
    }

    /**
     * C[m x n] = op(A) op(B), or C += op(A) op(B) when {@code accumulate} (then each element's chain
     * starts from its old value).
     *
     * @throws IllegalArgumentException when a size is negative or an operand is too short for its
     *                                  offset, leading dimension and extent
     */
    public static void gemm(CpuPool pool, boolean transA, boolean transB, int m, int n, int k,
                            float[] a, int ao, int lda, float[] b, int bo, int ldb,
                            float[] c, int co, int ldc, boolean accumulate) {
        int slice = Math.max(CpuGemm.KC, TRANSPOSE_FLOATS / Math.max(1, m) / CpuGemm.KC * CpuGemm.KC);
        gemm(pool, transA, transB, m, n, k, a, ao, lda, b, bo, ldb, c, co, ldc, accumulate, slice);
    }

    /** {@link #gemm} with the k slice of a transposed A as a parameter (tests force several slices). */
    static void gemm(CpuPool pool, boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int ao, int lda, float[] b, int bo, int ldb,
                     float[] c, int co, int ldc, boolean accumulate, int kSlice) {
        checkOperand("A", a, ao, lda, transA ? k : m, transA ? m : k);
        checkOperand("B", b, bo, ldb, transB ? n : k, transB ? k : n);
        checkOperand("C", c, co, ldc, m, n);
        if (m == 0 || n == 0) {
            return;
        }
        if (!transA || k == 0) {
            rowMajorA(pool, m, n, k, a, ao, lda, transB, b, bo, ldb, c, co, ldc, accumulate);
            return;
        }
        int slice = Math.min(k, Math.max(1, kSlice));
        float[] at = new float[CpuTensors.checkedInt((long) m * slice, "gemm transposed A")];
        for (int k0 = 0; k0 < k; k0 += slice) {
            int kc = Math.min(slice, k - k0);
            transpose(pool, a, ao + k0 * lda, lda, kc, m, at);
            int bs = transB ? bo + k0 : bo + k0 * ldb;
            rowMajorA(pool, m, n, kc, at, 0, kc, transB, b, bs, ldb, c, co, ldc, accumulate || k0 > 0);
        }
    }

    /** C (+)= A op(B) with A row-major m x k. */
    private static void rowMajorA(CpuPool pool, int m, int n, int k, float[] a, int ao, int lda, boolean transB,
                                  float[] b, int bo, int ldb, float[] c, int co, int ldc, boolean accumulate) {
        CpuGemm.blocked(pool, m, n, k, a, ao, lda,
                (j0, cols, p0, kc, bp, row) -> CpuGemmPack.packB(b, bo, ldb, transB, j0, cols, p0, kc, bp),
                CpuGemmEpilogue.store(c, co, ldc, accumulate));
    }

    /** dst[i * rows + p] = src[so + p * ld + i] for p < rows, i < cols: a rows x cols block made cols x rows. */
    private static void transpose(CpuPool pool, float[] src, int so, int ld, int rows, int cols, float[] dst) {
        // 16 output rows per step: the reads are 16-float runs of one source row, the writes 16 streams
        int block = 16;
        pool.forRange((cols + block - 1) / block, 4, (lo, hi) -> {
            for (int ib = lo; ib < hi; ib++) {
                int i0 = ib * block;
                int i1 = Math.min(cols, i0 + block);
                for (int p = 0; p < rows; p++) {
                    int s = so + p * ld;
                    for (int i = i0; i < i1; i++) {
                        dst[i * rows + p] = src[s + i];
                    }
                }
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
