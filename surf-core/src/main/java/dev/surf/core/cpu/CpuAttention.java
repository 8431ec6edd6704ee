package dev.surf.core.cpu;

import static dev.surf.core.cpu.CpuGemmKernel.MR;
import static dev.surf.core.cpu.CpuGemmKernel.roundUp;

import dev.surf.core.AttentionSpec;
import dev.surf.core.AttentionWithLse;
import dev.surf.core.DType;
import dev.surf.core.OpChecks;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.TimeWindow;
import java.util.Arrays;

/**
 * Softmax attention with key-length mask, additive bias and time windows, as flash attention (see
 * {@link CpuFlashBlock}). Queries are cut into blocks whose rows all see the same contiguous key
 * range: with a {@link TimeWindow} that is one attention group of frames, so key tiles outside the
 * group are never visited and windowed attention costs in proportion to the window. Work is split
 * over (batch item, head, query block); each output row is computed by exactly one block in a fixed
 * order, so results do not depend on the thread count.
 */
final class CpuAttention {
    private CpuAttention() {
    }

    /** See {@link dev.surf.core.Backend#attention}: output [B, Lq, H, dv] in q's dtype. */
    static Tensor attention(CpuBackend be, Tensor q, Tensor k, Tensor v, AttentionSpec spec) {
        OpChecks.attention(q, k, v, spec);
        return compute(be, q, k, v, spec, null);
    }

    /** The output and each row's log-sum-exp [B, H, Lq] (negative infinity where every key is masked). */
    static AttentionWithLse attentionWithLse(CpuBackend be, Tensor q, Tensor k, Tensor v, AttentionSpec spec) {
        OpChecks.attention(q, k, v, spec);
        float[] lse = new float[CpuTensors.checkedInt((long) q.dim(0) * q.dim(2) * q.dim(1), "attention lse")];
        Arrays.fill(lse, Float.NEGATIVE_INFINITY);
        Tensor out = compute(be, q, k, v, spec, lse);
        return new AttentionWithLse(out, be.wrap(lse, Shape.of(q.dim(0), q.dim(2), q.dim(1))));
    }

    private static Tensor compute(CpuBackend be, Tensor q, Tensor k, Tensor v, AttentionSpec spec, float[] lse) {
        int batch = q.dim(0);
        int lq = q.dim(1);
        int heads = q.dim(2);
        int d = q.dim(3);
        int lk = k.dim(1);
        int dv = v.dim(3);
        float[] out = new float[CpuTensors.checkedInt((long) batch * lq * heads * dv, "attention output")];
        Blocks blocks = Blocks.of(lq, lk, spec.window());
        int[] keyEnd = new int[batch];
        for (int b = 0; b < batch; b++) {
            keyEnd[b] = spec.keyLengths() == null ? lk : Math.clamp(spec.keyLengths()[b], 0, lk);
        }
        Operand qa = Operand.of(q);
        Operand ka = Operand.of(k);
        Operand va = Operand.of(v);
        Operand ba = spec.bias() == null ? new Operand(null, 0) : Operand.of(spec.bias());
        int tasks = CpuTensors.checkedInt((long) batch * heads * blocks.count(), "attention blocks");
        be.pool().forRange(tasks, 1, (lo, hi) -> {
            CpuFlashBlock fb = new CpuFlashBlock(qa.a, qa.off, ka.a, ka.off, va.a, va.off, ba.a, ba.off,
                    lq, lk, heads, d, dv, spec.scale());
            for (int t = lo; t < hi; t++) {
                int blk = t % blocks.count();
                int bh = t / blocks.count();
                int b = bh / heads;
                int k1 = Math.min(blocks.k1[blk], keyEnd[b]);
                if (blocks.k0[blk] < k1) {
                    fb.run(b, bh % heads, blocks.q0[blk], blocks.q1[blk], blocks.k0[blk], k1, out, lse);
                }
            }
        });
        Tensor res = be.wrap(out, q.shape().with(3, dv));
        if (q.dtype() == DType.F32) {
            return res;
        }
        try (res) {
            return be.convert(res, q.dtype());
        }
    }

    /** An F32 view of a tensor: its own array when it is a heap F32 tensor, else a converted copy. */
    private record Operand(float[] a, int off) {
        static Operand of(Tensor t) {
            return CpuTensors.isHeapF32(t) ? new Operand(CpuTensors.array(t), CpuTensors.offset(t))
                    : new Operand(CpuTensors.toF32(t), 0);
        }
    }

    /** Query blocks [q0, q1) of at most BQ rows, each with the key range [k0, k1) all its rows share. */
    record Blocks(int[] q0, int[] q1, int[] k0, int[] k1, int count) {
        static Blocks of(int lq, int lk, TimeWindow win) {
            Builder bl = new Builder();
            if (win == null) {
                bl.split(0, lq, 0, lk);
                return bl.build();
            }
            int tpf = win.tokensPerFrame();
            int f = 0;
            while (f < win.frames()) {
                int ks = win.keyFrameStart(f);
                int ke = win.keyFrameEnd(f);
                int g = f + 1;
                while (g < win.frames() && win.keyFrameStart(g) == ks && win.keyFrameEnd(g) == ke) {
                    g++;
                }
                bl.split(f * tpf, g * tpf, ks * tpf, ke * tpf);
                f = g;
            }
            return bl.build();
        }

        private static final class Builder {
            private int[] q0 = new int[16];
            private int[] q1 = new int[16];
            private int[] k0 = new int[16];
            private int[] k1 = new int[16];
            private int n;

            /** Queries [from, to) in near-equal blocks of at most BQ rows (multiples of MR where possible). */
            void split(int from, int to, int ks, int ke) {
                int len = to - from;
                if (len <= 0) {
                    return;
                }
                int parts = (len + CpuFlashBlock.BQ - 1) / CpuFlashBlock.BQ;
                int size = Math.min(CpuFlashBlock.BQ, roundUp((len + parts - 1) / parts, MR));
                for (int s = from; s < to; s += size) {
                    if (n == q0.length) {
                        q0 = Arrays.copyOf(q0, 2 * n);
                        q1 = Arrays.copyOf(q1, 2 * n);
                        k0 = Arrays.copyOf(k0, 2 * n);
                        k1 = Arrays.copyOf(k1, 2 * n);
                    }
                    q0[n] = s;
                    q1[n] = Math.min(to, s + size);
                    k0[n] = ks;
                    k1[n] = ke;
                    n++;
                }
            }

            Blocks build() {
                return new Blocks(q0, q1, k0, k1, n);
            }
        }
    }
}
