package dev.surf.core.cpu;

import static dev.surf.core.cpu.CpuGemmKernel.MR;
import static dev.surf.core.cpu.CpuGemmKernel.NR;

/**
 * Packing of GEMM operands for {@link CpuGemmKernel}: W^T into B micro-panels (unit-stride vector
 * loads), and the ragged last row panel of A into a padded block. Edges become zero padding instead
 * of masked code.
 */
final class CpuGemmPack {
    private CpuGemmPack() {
    }

    /**
     * Copies the last, partial row panel of an A operand (rows [i0, i0+rows), rows < MR, columns
     * [p0, p0+kc), leading dimension ld, first element at xo) into an MR x kc zero-padded block, so
     * the kernel can read MR rows without running off the matrix.
     */
    static void packTail(float[] x, int xo, int ld, int i0, int rows, int p0, int kc, float[] dst) {
        for (int r = 0; r < MR; r++) {
            if (r < rows) {
                System.arraycopy(x, (int) (xo + (long) (i0 + r) * ld + p0), dst, r * kc, kc);
            } else {
                java.util.Arrays.fill(dst, r * kc, (r + 1) * kc, 0f);
            }
        }
    }

    /**
     * Packs B = W^T for output columns [j0, j0+cols) and reduction range [p0, p0+kc) into
     * ceil(cols/NR) B panels: bp[q*kc*NR + p*NR + j] = W[j0 + q*NR + j, p0 + p] as F32, zero past cols.
     * The transposition and the dtype conversion happen here, one panel at a time.
     */
    static void packB(CpuWeightRows w, int ld, int j0, int cols, int p0, int kc, float[] bp, float[] rowTmp) {
        int panels = (cols + NR - 1) / NR;
        float[] heap = w.heapArray();
        for (int q = 0; q < panels; q++) {
            int base = q * kc * NR;
            for (int jj = 0; jj < NR; jj++) {
                int j = q * NR + jj;
                if (j >= cols) {
                    for (int p = 0; p < kc; p++) {
                        bp[base + p * NR + jj] = 0f;
                    }
                    continue;
                }
                float[] src;
                int so;
                if (heap != null) {
                    src = heap;
                    so = (int) (w.heapOffset() + (long) (j0 + j) * ld + p0);
                } else {
                    w.read(j0 + j, p0, kc, rowTmp, 0);
                    src = rowTmp;
                    so = 0;
                }
                for (int p = 0; p < kc; p++) {
                    bp[base + p * NR + jj] = src[so + p];
                }
            }
        }
    }

    /**
     * Packs op(B) of a plain F32 matrix for columns [j0, j0+cols) and reduction range [p0, p0+kc):
     * bp[q*kc*NR + p*NR + j] = op(B)[p0 + p, j0 + q*NR + j], zero past cols. Without trans B is stored
     * k x n (element (p, j) at b[bo + p*ldb + j]: NR-float runs are copied); with trans it is stored
     * n x k (element (p, j) at b[bo + j*ldb + p]: each B row is scattered down one panel column).
     */
    static void packB(float[] b, int bo, int ldb, boolean trans, int j0, int cols, int p0, int kc, float[] bp) {
        int panels = (cols + NR - 1) / NR;
        for (int q = 0; q < panels; q++) {
            int base = q * kc * NR;
            int width = Math.min(NR, cols - q * NR);
            if (trans) {
                for (int jj = 0; jj < width; jj++) {
                    int src = bo + (j0 + q * NR + jj) * ldb + p0;
                    for (int p = 0; p < kc; p++) {
                        bp[base + p * NR + jj] = b[src + p];
                    }
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    System.arraycopy(b, bo + (p0 + p) * ldb + j0 + q * NR, bp, base + p * NR, width);
                }
            }
            if (width < NR) {
                for (int p = 0; p < kc; p++) {
                    java.util.Arrays.fill(bp, base + p * NR + width, base + (p + 1) * NR, 0f);
                }
            }
        }
    }
}
