package dev.surf.core.cpu;

import static dev.surf.core.cpu.CpuGemmKernel.MR;
import static dev.surf.core.cpu.CpuGemmKernel.NR;
import static dev.surf.core.cpu.CpuGemmKernel.roundUp;

import dev.surf.core.Activation;
import dev.surf.core.DType;
import dev.surf.core.OpChecks;
import dev.surf.core.Tensor;
import java.util.Arrays;

/**
 * y = act(x W^T + b) and the gated residual update, as a cache-blocked, register-blocked Vector API
 * GEMM with the epilogue fused.
 *
 * <p>The output is cut into tiles of rows x columns; threads take whole tiles. Inside a tile the
 * reduction is blocked by KC, W^T is packed (and converted from BF16/F16) one KC x tile-width block
 * at a time, and the micro-kernel runs over MC-row blocks of x read in place against those panels.
 * Every output element is the same sequential FMA chain over k whatever the tiling (see
 * {@link CpuGemmKernel}), so results are bit-identical for any thread count.
 */
final class CpuGemm {
    /** Reduction block: a B micro-panel (KC x NR floats, 16 KiB with AVX2) stays in L1. */
    static final int KC = 256;
    /** Rows of x per block (MC x KC floats, 144 KiB) kept in L2 while the B panels pass; a multiple of MR. */
    static final int MC = 144;
    /** Widest tile: its packed KC x NT block of W^T (256 KiB) sits in L2 next to the x block. */
    static final int NT = 256;
    /** Tallest tile: the packed W^T block is reused for this many rows before it is packed again. */
    static final int MT = 1152;
    /**
     * Up to this many rows the weight rows are dotted directly instead of packed: below it, packing
     * (transposing) W^T costs more than it saves. Measured on Zen 1 with BF16 1536 x 1536 and
     * 8960 x 1536 weights, the two paths break even between 32 and 64 rows.
     */
    static final int GEMV_ROWS = 32;

    private CpuGemm() {
    }

    /** y = act(x W^T + b): x [..., in] (any float dtype), w [out, in] F32/BF16/F16, bias [out] or null. */
    static Tensor linear(CpuBackend be, Tensor x, Tensor w, Tensor bias, Activation act) {
        OpChecks.linear(x, w, bias);
        int out = w.dim(0);
        int m = rows(x, "linear");
        float[] y = new float[CpuTensors.checkedInt((long) m * out, "linear output")];
        float[] b = bias == null ? null : CpuTensors.toF32(bias);
        run(be, x, w, m, CpuGemmEpilogue.linear(y, out, b, act == null ? Activation.NONE : act));
        Tensor res = be.wrap(y, x.shape().with(-1, out));
        if (x.dtype() == DType.F32) {
            return res;
        }
        try (res) {
            return be.convert(res, x.dtype());
        }
    }

    /** residual[b, l, :] += gate[b, :] * (x[b, l, :] W^T + bias), gate [B, out] or null (gate 1). */
    static void linearResidual(CpuBackend be, Tensor residual, Tensor x, Tensor w, Tensor bias, Tensor gate) {
        OpChecks.linearResidual(residual, x, w, bias, gate);
        int out = w.dim(0);
        int batch = x.rank() >= 3 ? x.dim(0) : 1;
        int m = rows(x, "linearResidual");
        // the epilogue accumulates into the residual's array: a borrowed (mapped) F32 tensor has none
        if (!CpuTensors.isHeapF32(residual)) {
            throw new IllegalArgumentException("linearResidual: residual " + residual
                    + " must be an activation of the CPU backend, not a borrowed weight");
        }
        float[] b = bias == null ? null : CpuTensors.toF32(bias);
        float[] g = gate == null ? null : CpuTensors.toF32(gate);
        int rowsPerBatch = Math.max(1, m / batch);
        // the epilogue writes residual rows while other tiles may still read x: never let them overlap
        Tensor src = x.storage() == residual.storage() ? be.wrap(CpuTensors.toF32(x), x.shape()) : x;
        try {
            run(be, src, w, m, CpuGemmEpilogue.residual(CpuTensors.array(residual), CpuTensors.offset(residual), out, b,
                    g, rowsPerBatch));
        } finally {
            if (src != x) {
                src.close();
            }
        }
    }

    /** Computes x W^T block by block and hands every finished block to epi. */
    private static void run(CpuBackend be, Tensor x, Tensor w, int m, CpuGemmEpilogue epi) {
        int k = w.dim(1);
        int n = w.dim(0);
        if (m == 0 || n == 0) {
            return;
        }
        float[] xa;
        int xo;
        if (CpuTensors.isHeapF32(x)) {
            xa = CpuTensors.array(x);
            xo = CpuTensors.offset(x);
        } else {
            xa = CpuTensors.toF32(x);
            xo = 0;
        }
        CpuWeightRows wr = new CpuWeightRows(w);
        if (m <= GEMV_ROWS) {
            CpuGemv.run(be, xa, xo, m, k, wr, n, epi);
            return;
        }
        blocked(be.pool(), m, n, k, xa, xo, k, (j0, cols, p0, kc, bp, row) -> CpuGemmPack.packB(wr, k, j0, cols, p0,
                kc, bp, row), epi);
    }

    /**
     * Packs the B operand's columns [j0, j0+cols) and reduction range [p0, p0+kc) into ceil(cols/NR)
     * zero-padded micro-panels, bp[q*kc*NR + p*NR + j] (row: a kc-float scratch row).
     */
    @FunctionalInterface
    interface PanelPacker {
        void pack(int j0, int cols, int p0, int kc, float[] bp, float[] row);
    }

    /**
     * C = A B for a row-major A (m x k, leading dimension lda, first element at ao) and a B delivered
     * as packed panels, tile by tile over the pool; each finished block goes to epi, which may also
     * seed the accumulators (then every element's chain starts from the seeded value).
     */
    static void blocked(CpuPool pool, int m, int n, int k, float[] a, int ao, int lda, PanelPacker packB,
                        CpuGemmEpilogue epi) {
        Plan plan = Plan.of(m, n, pool.threads());
        pool.forRange(plan.tiles(), 1, (lo, hi) -> {
            Scratch s = new Scratch(plan, k);
            for (int t = lo; t < hi; t++) {
                tile(plan, t, a, ao, lda, k, packB, s, epi);
            }
        });
    }

    /** One output tile: all of its k blocks, then the epilogue per row block. */
    private static void tile(Plan plan, int t, float[] xa, int xo, int lda, int k, PanelPacker packB, Scratch s,
                             CpuGemmEpilogue epi) {
        int i0 = (t / plan.tilesN) * plan.mt;
        int j0 = (t % plan.tilesN) * plan.nt;
        int rows = Math.min(plan.mt, plan.m - i0);
        int cols = Math.min(plan.nt, plan.n - j0);
        int nPanels = (cols + NR - 1) / NR;
        int ldc = nPanels * NR;
        boolean seeded = epi.seed(i0, rows, j0, cols, s.c, 0, ldc);
        if (k == 0) {
            if (!seeded) {
                Arrays.fill(s.c, 0f);
            }
            epi.finish(i0, rows, j0, cols, s.c, 0, ldc);
            return;
        }
        for (int p0 = 0; p0 < k; p0 += KC) {
            int kc = Math.min(KC, k - p0);
            boolean last = p0 + kc == k;
            boolean acc = seeded || p0 > 0;
            packB.pack(j0, cols, p0, kc, s.b, s.row);
            for (int ic = 0; ic < rows; ic += MC) {
                int mc = Math.min(MC, rows - ic);
                int full = mc / MR;
                // A is read in place; only a ragged last row panel goes through a padded copy
                CpuGemmKernel.multiply(full, nPanels, kc, xa, xo + (i0 + ic) * lda + p0, lda, s.b, 0, s.c, ic * ldc,
                        ldc, acc);
                if (full * MR < mc) {
                    CpuGemmPack.packTail(xa, xo, lda, i0 + ic + full * MR, mc - full * MR, p0, kc, s.a);
                    CpuGemmKernel.multiply(1, nPanels, kc, s.a, 0, kc, s.b, 0, s.c, (ic + full * MR) * ldc, ldc, acc);
                }
                if (last) {
                    epi.finish(i0 + ic, mc, j0, cols, s.c, ic * ldc, ldc);
                }
            }
        }
    }

    /**
     * Tile sizes for one call. Tiles shrink (rows first, since a shorter tile only repacks W^T more
     * often) until every thread has several, so the pool can balance them.
     */
    private record Plan(int m, int n, int mt, int nt, int tilesM, int tilesN) {
        static Plan of(int m, int n, int threads) {
            int nt = Math.min(roundUp(n, NR), NT);
            // equal row tiles (1560 rows: 2 x 780, not 1152 + 408), so whole tiles balance over threads
            int mt = roundUp((m + count(m, MT) - 1) / count(m, MT), MR);
            int want = threads == 1 ? 1 : 4 * threads;
            while (count(m, mt) * count(n, nt) < want && mt > MC) {
                mt = roundUp(mt / 2, MR);
            }
            while (count(m, mt) * count(n, nt) < want && nt > 2 * NR) {
                nt = roundUp(nt / 2, NR);
            }
            return new Plan(m, n, mt, nt, count(m, mt), count(n, nt));
        }

        private static int count(int size, int tile) {
            return (size + tile - 1) / tile;
        }

        int tiles() {
            return tilesM * tilesN;
        }
    }

    /** Per-thread packing buffers and the accumulator tile, reused across the tiles of one chunk. */
    private static final class Scratch {
        final float[] a;
        final float[] b;
        final float[] c;
        final float[] row;

        Scratch(Plan plan, int k) {
            int kc = Math.min(KC, k);
            int ntPad = roundUp(plan.nt, NR);
            a = new float[MR * kc];
            b = new float[ntPad * kc];
            c = new float[roundUp(plan.mt, MR) * ntPad];
            row = new float[kc];
        }
    }

    /** Rows of x: the product of all but the last dimension (also when the last one is 0). */
    private static int rows(Tensor x, String op) {
        return CpuTensors.checkedInt(x.shape().size(0, x.rank() - 1), op + " rows");
    }
}
