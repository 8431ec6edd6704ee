package dev.surf.core.cpu;

import static dev.surf.core.cpu.CpuGemmKernel.MR;
import static dev.surf.core.cpu.CpuGemmKernel.NR;
import static dev.surf.core.cpu.CpuGemmKernel.roundUp;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Flash attention for one query block of one (batch item, head) against one contiguous key range:
 * key tiles of {@link #BK} are streamed in order, S = Q K^T and O += P V run on the GEMM
 * micro-kernel (Q and P are its in-place A operand, K^T and V its packed B panels), and the softmax
 * is kept online: a running max m and sum l per query row, with O rescaled by exp(m_old - m_new)
 * whenever the max grows. Only a BQ x BK score tile ever exists.
 *
 * <p>One instance holds the scratch of one thread and is reused for many blocks. It keeps the packed
 * keys and values of the last key range, which consecutive blocks of one attention group share.
 * Every sum runs in an order fixed by the block and tile boundaries, which depend on the shapes only.
 */
final class CpuFlashBlock {
    /** Query rows per block (a multiple of MR): the Q, S and O blocks stay in L1/L2. */
    static final int BQ = 48;
    /** Keys per tile: an S row and a K^T or V panel (BK x NR floats, 8 KiB with AVX2) stay in L1. */
    static final int BK = 128;
    private static final VectorSpecies<Float> S = CpuGemmKernel.S;
    private static final int L = S.length();

    private final float[] q;
    private final int qo;
    private final float[] k;
    private final int ko;
    private final float[] v;
    private final int vo;
    private final float[] bias;
    private final int biasOff;
    private final int lq;
    private final int lk;
    private final int heads;
    private final int d;
    private final int dv;
    private final int dvPad;
    private final float scale;

    /** Q block (row-major), score/probability tile, O accumulator, per-row m, l and rescale factor. */
    private final float[] qb;
    private final float[] s;
    private final float[] o;
    private final float[] m;
    private final float[] l;
    private final float[] alpha;
    private final float[] lanes = new float[L];
    /** Packed K^T and V tiles of keys [packedK0, packedK1) of (packedB, packedH). */
    private float[] kp = new float[0];
    private float[] vp = new float[0];
    private int packedB = -1;
    private int packedH = -1;
    private int packedK0 = -1;
    private int packedK1 = -1;

    /**
     * Operands as F32 arrays with element offsets: q [B, lq, heads, d], k [B, lk, heads, d],
     * v [B, lk, heads, dv], bias [heads, lq, lk] or null.
     */
    CpuFlashBlock(float[] q, int qo, float[] k, int ko, float[] v, int vo, float[] bias, int biasOff,
                  int lq, int lk, int heads, int d, int dv, float scale) {
        this.q = q;
        this.qo = qo;
        this.k = k;
        this.ko = ko;
        this.v = v;
        this.vo = vo;
        this.bias = bias;
        this.biasOff = biasOff;
        this.lq = lq;
        this.lk = lk;
        this.heads = heads;
        this.d = d;
        this.dv = dv;
        this.dvPad = roundUp(dv, NR);
        this.scale = scale;
        int rowsPad = roundUp(BQ, MR);
        qb = new float[rowsPad * d];
        s = new float[rowsPad * BK];
        o = new float[rowsPad * dvPad];
        m = new float[rowsPad];
        l = new float[rowsPad];
        alpha = new float[rowsPad];
    }

    /**
     * out[b, i, h, :] for queries i in [q0, q1) (at most BQ) attending to keys [k0, k1) (non-empty).
     */
    void run(int b, int h, int q0, int q1, int k0, int k1, float[] out) {
        run(b, h, q0, q1, k0, k1, out, null);
    }

    /**
     * As {@link #run(int, int, int, int, int, int, float[])}, also storing each row's log-sum-exp
     * m + log(l) of the scaled logits at lse[(b * heads + h) * lq + row] when lse is not null (a
     * row with every key masked keeps what lse held).
     */
    void run(int b, int h, int q0, int q1, int k0, int k1, float[] out, float[] lse) {
        int nq = q1 - q0;
        int rowsPad = roundUp(nq, MR);
        int mPanels = rowsPad / MR;
        copyQ(b, h, q0, nq, rowsPad);
        Arrays.fill(o, 0, rowsPad * dvPad, 0f);
        Arrays.fill(m, 0, rowsPad, Float.NEGATIVE_INFINITY);
        Arrays.fill(l, 0, rowsPad, 0f);
        packKeys(b, h, k0, k1);
        for (int j0 = k0; j0 < k1; j0 += BK) {
            int nk = Math.min(BK, k1 - j0);
            int nkPad = roundUp(nk, NR);
            int tile = (j0 - k0) / BK;
            CpuGemmKernel.multiply(mPanels, nkPad / NR, d, qb, 0, d, kp, tile * BK * d, s, 0, nkPad, false);
            for (int i = 0; i < rowsPad; i++) {
                softmaxRow(i, i < nq ? q0 + i : -1, h, j0, nk, nkPad);
            }
            rescaleO(rowsPad);
            CpuGemmKernel.multiply(mPanels, dvPad / NR, nk, s, 0, nkPad, vp, tile * BK * dvPad, o, 0, dvPad, true);
        }
        for (int i = 0; i < nq; i++) {
            int dst = ((b * lq + q0 + i) * heads + h) * dv;
            float li = l[i];
            // every key masked (e.g. a bias of -inf): the row stays zero
            if (li > 0f) {
                for (int c = 0; c < dv; c++) {
                    out[dst + c] = o[i * dvPad + c] / li;
                }
                if (lse != null) {
                    lse[(b * heads + h) * lq + q0 + i] = m[i] + (float) Math.log(li);
                }
            }
        }
    }

    /** Q rows of the block, contiguous (rows past nq zero): qb[i*d + c]. */
    private void copyQ(int b, int h, int q0, int nq, int rowsPad) {
        for (int i = 0; i < nq; i++) {
            System.arraycopy(q, qo + ((b * lq + q0 + i) * heads + h) * d, qb, i * d, d);
        }
        Arrays.fill(qb, nq * d, rowsPad * d, 0f);
    }

    /**
     * Packs K^T and V of keys [k0, k1) for (b, h), tile by tile, unless they are already packed: the
     * query blocks a thread takes in a row mostly share them, and the transposing pack is the costly
     * part of a tile.
     */
    private void packKeys(int b, int h, int k0, int k1) {
        if (b == packedB && h == packedH && k0 == packedK0 && k1 == packedK1) {
            return;
        }
        int tiles = (k1 - k0 + BK - 1) / BK;
        if (kp.length < tiles * BK * d) {
            kp = new float[tiles * BK * d];
        }
        if (vp.length < tiles * BK * dvPad) {
            vp = new float[tiles * BK * dvPad];
        }
        for (int t = 0; t < tiles; t++) {
            int j0 = k0 + t * BK;
            int nk = Math.min(BK, k1 - j0);
            packKt(b, h, j0, nk, roundUp(nk, NR) / NR, t * BK * d);
            packV(b, h, j0, nk, t * BK * dvPad);
        }
        packedB = b;
        packedH = h;
        packedK0 = k0;
        packedK1 = k1;
    }

    /** K^T of keys [j0, j0+nk) into B panels (keys past nk zero): kp[at + kq*d*NR + c*NR + jj]. */
    private void packKt(int b, int h, int j0, int nk, int kPanels, int at) {
        for (int kq = 0; kq < kPanels; kq++) {
            for (int jj = 0; jj < NR; jj++) {
                int j = kq * NR + jj;
                int base = at + kq * d * NR + jj;
                if (j < nk) {
                    int src = ko + ((b * lk + j0 + j) * heads + h) * d;
                    for (int c = 0; c < d; c++) {
                        kp[base + c * NR] = k[src + c];
                    }
                } else {
                    for (int c = 0; c < d; c++) {
                        kp[base + c * NR] = 0f;
                    }
                }
            }
        }
    }

    /** V rows [j0, j0+nk) into B panels (columns past dv zero): vp[at + cp*nk*NR + j*NR + cc]. */
    private void packV(int b, int h, int j0, int nk, int at) {
        int panels = dvPad / NR;
        for (int j = 0; j < nk; j++) {
            int src = vo + ((b * lk + j0 + j) * heads + h) * dv;
            for (int cp = 0; cp < panels; cp++) {
                int dst = at + cp * nk * NR + j * NR;
                int c0 = cp * NR;
                if (c0 + NR <= dv) {
                    System.arraycopy(v, src + c0, vp, dst, NR);
                } else {
                    for (int cc = 0; cc < NR; cc++) {
                        vp[dst + cc] = c0 + cc < dv ? v[src + c0 + cc] : 0f;
                    }
                }
            }
        }
    }

    /**
     * Turns row i of the score tile into probabilities against the updated running max, and updates
     * the row's m, l and the factor alpha by which its O row must shrink. qi is the query index for
     * the bias, or -1 for a padding row.
     */
    private void softmaxRow(int i, int qi, int h, int j0, int nk, int nkPad) {
        int row = i * nkPad;
        FloatVector sc = FloatVector.broadcast(S, scale);
        for (int j = 0; j < nkPad; j += L) {
            FloatVector.fromArray(S, s, row + j).mul(sc).intoArray(s, row + j);
        }
        if (bias != null && qi >= 0) {
            int bo = biasOff + (h * lq + qi) * lk + j0;
            for (int j = 0; j < nk; j++) {
                s[row + j] += bias[bo + j];
            }
        }
        for (int j = nk; j < nkPad; j++) {
            s[row + j] = Float.NEGATIVE_INFINITY;
        }
        FloatVector mx = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int j = 0; j < nkPad; j += L) {
            mx = mx.max(FloatVector.fromArray(S, s, row + j));
        }
        // max is exact and order-free, so the lane reduction cannot change bits
        float mNew = Math.max(m[i], mx.reduceLanes(VectorOperators.MAX));
        if (mNew == Float.NEGATIVE_INFINITY) {
            Arrays.fill(s, row, row + nkPad, 0f);
            alpha[i] = 1f;
            return;
        }
        FloatVector mv = FloatVector.broadcast(S, mNew);
        FloatVector sum = FloatVector.zero(S);
        for (int j = 0; j < nkPad; j += L) {
            FloatVector p = CpuExp.exp(FloatVector.fromArray(S, s, row + j).sub(mv));
            p.intoArray(s, row + j);
            sum = sum.add(p);
        }
        sum.intoArray(lanes, 0);
        float tile = 0f;
        for (int c = 0; c < L; c++) {
            tile += lanes[c];
        }
        float a = CpuExp.exp(m[i] - mNew);
        alpha[i] = a;
        l[i] = l[i] * a + tile;
        m[i] = mNew;
    }

    private void rescaleO(int rowsPad) {
        for (int i = 0; i < rowsPad; i++) {
            float a = alpha[i];
            if (a != 1f) {
                FloatVector av = FloatVector.broadcast(S, a);
                int row = i * dvPad;
                for (int c = 0; c < dvPad; c += L) {
                    FloatVector.fromArray(S, o, row + c).mul(av).intoArray(o, row + c);
                }
            }
        }
    }
}
