package dev.surf.core.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked micro-kernel shared by the GEMM and the attention: C[MR x NR] (+)= A B with A
 * read in place from MR row-major rows ({@code a[r * lda + p]}, broadcast one element at a time) and
 * B from a packed micro-panel ({@code b[p * NR + j]}, two vector loads per p).
 *
 * <p>A is not packed: broadcasts do not need contiguous data, six sequential row streams are
 * cache-friendly, and measured on Zen 1 this runs faster than a packed A panel, while saving the
 * packing pass.
 *
 * <p>Each element of C is one fused multiply-add chain over p in increasing order, starting from 0
 * or from the value already in C. Splitting k into blocks and reloading C between them therefore
 * gives exactly the bits of one unblocked chain, so neither the cache blocking nor the tiling over
 * threads can change a result.
 */
final class CpuGemmKernel {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Lanes of one vector. */
    static final int L = S.length();
    /** Rows of the register block: 6 x 2 accumulators + 2 B vectors + 1 broadcast fit 16 AVX2 registers. */
    static final int MR = 6;
    /** Columns of the register block: two vectors. */
    static final int NR = 2 * L;

    private CpuGemmKernel() {
    }

    static int roundUp(int x, int m) {
        return (x + m - 1) / m * m;
    }

    /**
     * C (+)= A B for mPanels x nPanels register blocks: A is mPanels * MR rows of leading dimension lda
     * from ao, B panels are kc * NR floats apart from bo, C row-major with leading dimension ldc.
     */
    static void multiply(int mPanels, int nPanels, int kc, float[] a, int ao, int lda, float[] b, int bo,
                         float[] c, int co, int ldc, boolean accumulate) {
        // B panel outer: it stays in L1 while the A rows stream from L2
        for (int q = 0; q < nPanels; q++) {
            for (int r = 0; r < mPanels; r++) {
                kernel(kc, a, ao + r * MR * lda, lda, b, bo + q * kc * NR, c, co + r * MR * ldc + q * NR, ldc,
                        accumulate);
            }
        }
    }

    /** One MR x NR block: C[r][j] = fma-chain over p of a[r*lda + p] * b[p*NR + j], from 0 or from C. */
    static void kernel(int kc, float[] a, int ao, int lda, float[] b, int bo, float[] c, int co, int ldc,
                       boolean accumulate) {
        FloatVector c00;
        FloatVector c01;
        FloatVector c10;
        FloatVector c11;
        FloatVector c20;
        FloatVector c21;
        FloatVector c30;
        FloatVector c31;
        FloatVector c40;
        FloatVector c41;
        FloatVector c50;
        FloatVector c51;
        int c1 = co + ldc;
        int c2 = c1 + ldc;
        int c3 = c2 + ldc;
        int c4 = c3 + ldc;
        int c5 = c4 + ldc;
        if (accumulate) {
            c00 = FloatVector.fromArray(S, c, co);
            c01 = FloatVector.fromArray(S, c, co + L);
            c10 = FloatVector.fromArray(S, c, c1);
            c11 = FloatVector.fromArray(S, c, c1 + L);
            c20 = FloatVector.fromArray(S, c, c2);
            c21 = FloatVector.fromArray(S, c, c2 + L);
            c30 = FloatVector.fromArray(S, c, c3);
            c31 = FloatVector.fromArray(S, c, c3 + L);
            c40 = FloatVector.fromArray(S, c, c4);
            c41 = FloatVector.fromArray(S, c, c4 + L);
            c50 = FloatVector.fromArray(S, c, c5);
            c51 = FloatVector.fromArray(S, c, c5 + L);
        } else {
            FloatVector z = FloatVector.zero(S);
            c00 = z;
            c01 = z;
            c10 = z;
            c11 = z;
            c20 = z;
            c21 = z;
            c30 = z;
            c31 = z;
            c40 = z;
            c41 = z;
            c50 = z;
            c51 = z;
        }
        int a1 = ao + lda;
        int a2 = a1 + lda;
        int a3 = a2 + lda;
        int a4 = a3 + lda;
        int a5 = a4 + lda;
        for (int p = 0; p < kc; p++) {
            int bi = bo + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector x = FloatVector.broadcast(S, a[ao + p]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[a1 + p]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[a2 + p]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[a3 + p]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[a4 + p]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[a5 + p]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        c00.intoArray(c, co);
        c01.intoArray(c, co + L);
        c10.intoArray(c, c1);
        c11.intoArray(c, c1 + L);
        c20.intoArray(c, c2);
        c21.intoArray(c, c2 + L);
        c30.intoArray(c, c3);
        c31.intoArray(c, c3 + L);
        c40.intoArray(c, c4);
        c41.intoArray(c, c4 + L);
        c50.intoArray(c, c5);
        c51.intoArray(c, c5 + L);
    }
}
