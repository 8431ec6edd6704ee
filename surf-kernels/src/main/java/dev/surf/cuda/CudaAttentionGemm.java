package dev.surf.cuda;

import dev.surf.core.Activation;
import dev.surf.core.Backend;
import dev.surf.core.Tensor;

/**
 * F32 attention as two GEMMs around a row softmax, per (batch, head) and block of query rows:
 * S = Q K^T on the F32 GEMM, S = softmax(scale * S) (softmax_rows of cuda/norms.cu), O = S V. For
 * plain attention (no bias, window or key lengths) in F32, where the generic kernel, one query row
 * per warp re-reading K and V, is slow: the Wan-VAE's single-head 384-dim attention over a frame's
 * 6240 tokens took 68 ms there. Full F32 arithmetic throughout, like PyTorch's fp32 SDPA; CPU
 * reference: CpuAttention. The score block is bounded ({@value #SCORE_FLOATS} floats, 256 MiB), so
 * long sequences run in several query blocks. A composition of the backend's own verified ops (GEMM,
 * permute, copy) and one kernel of its own.
 */
final class CudaAttentionGemm {
    static final long SCORE_FLOATS = 64L << 20;

    private final CudaRuntime rt;
    /** The backend whose GEMM, permute and copy ops this composes (the runtime's owner). */
    private final Backend be;

    CudaAttentionGemm(CudaRuntime rt, Backend be) {
        this.rt = rt;
        this.be = be;
    }

    /** Writes attention(q, k, v) into out; q [B, Lq, H, d], k [B, Lk, H, d], v [B, Lk, H, dv], out [B, Lq, H, dv], all F32. */
    void attention(Tensor q, Tensor k, Tensor v, Tensor out, float scale) {
        int b = q.dim(0);
        int lq = q.dim(1);
        int h = q.dim(2);
        int d = q.dim(3);
        int lk = k.dim(1);
        int dv = v.dim(3);
        int bh = b * h;
        // heads first, so that each (batch, head) is a contiguous block of rows; V transposed to [dv, Lk]
        // rows for the second product, which multiplies by W^T
        Tensor qh = h == 1 ? null : be.permute(q, 0, 2, 1, 3);
        Tensor kh = h == 1 ? null : be.permute(k, 0, 2, 1, 3);
        Tensor vt = be.permute(v, 0, 2, 3, 1);
        Tensor oh = h == 1 ? null : rt.alloc(out.dtype(), out.shape().with(1, h).with(2, lq));
        try {
            Tensor q2 = (h == 1 ? q : qh).view(bh * lq, d);
            Tensor k2 = (h == 1 ? k : kh).view(bh * lk, d);
            Tensor v2 = vt.view(bh * dv, lk);
            Tensor o2 = (h == 1 ? out : oh).view(bh * lq, dv);
            int block = (int) Math.max(1, Math.min(lq, SCORE_FLOATS / lk));
            for (int i = 0; i < bh; i++) {
                Tensor ki = k2.slice(i * lk, (i + 1) * lk);
                Tensor vi = v2.slice(i * dv, (i + 1) * dv);
                for (int r0 = 0; r0 < lq; r0 += block) {
                    int r1 = Math.min(lq, r0 + block);
                    try (Tensor s = be.linear(q2.slice(i * lq + r0, i * lq + r1), ki, null, Activation.NONE)) {
                        rt.launch(rt.kernel("norms", "softmax_rows"), Math.min(r1 - r0, 65535), 1, 1, 256, 0,
                                rt.addr(s), (long) (r1 - r0), lk, scale);
                        try (Tensor o = be.linear(s, vi, null, Activation.NONE)) {
                            be.copy(o, o2.slice(i * lq + r0, i * lq + r1));
                        }
                    }
                }
            }
            if (h != 1) {
                try (Tensor back = be.permute(oh, 0, 2, 1, 3)) {
                    be.copy(back, out);
                }
            }
        } finally {
            for (Tensor t : new Tensor[] {qh, kh, vt, oh}) {
                if (t != null) {
                    t.close();
                }
            }
        }
    }
}
