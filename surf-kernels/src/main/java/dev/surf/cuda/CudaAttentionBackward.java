package dev.surf.cuda;

import dev.surf.core.AttentionGrads;
import dev.surf.core.AttentionSpec;
import dev.surf.core.BackwardChecks;
import dev.surf.core.DType;
import dev.surf.core.Tensor;
import dev.surf.core.TimeWindow;

/**
 * The backward of attention from the forward's row log-sum-exp (cuda/attention_grad.cu: delta =
 * rowsum(dO * O), then dq one warp per query row, then dk and dv one warp per key row). Key lengths,
 * bias and time windows as the forward ({@link DeviceTables#frameRanges}). CPU reference:
 * CpuAttentionBackward.
 */
final class CudaAttentionBackward {
    private static final int ROWS = 4;
    /** 32 lanes x MAXC columns of cuda/attention_grad.cu. */
    private static final int MAX_HEAD_DIM = 512;

    private final CudaRuntime rt;

    CudaAttentionBackward(CudaRuntime rt) {
        this.rt = rt;
    }

    AttentionGrads backward(Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, Tensor dOut, AttentionSpec spec) {
        BackwardChecks.attentionBackward(q, k, v, out, lse, dOut, spec);
        int d = q.dim(3);
        int dv = v.dim(3);
        if (d > MAX_HEAD_DIM || dv > MAX_HEAD_DIM) {
            throw new IllegalArgumentException("attentionBackward: head dims " + d + " and " + dv + " must be at most "
                    + MAX_HEAD_DIM + " on the CUDA backend");
        }
        long qRows = (long) q.dim(0) * q.dim(2) * q.dim(1);
        long kRows = (long) k.dim(0) * k.dim(2) * k.dim(1);
        if ((Math.max(qRows, kRows) + ROWS - 1) / ROWS > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("attentionBackward: " + Math.max(qRows, kRows) + " rows exceed the grid limit");
        }
        TimeWindow win = spec.window();
        long lens = spec.keyLengths() == null ? 0 : rt.tables.table(spec.keyLengths());
        long frames = win == null ? 0 : rt.tables.table(DeviceTables.frameRanges(win));
        Tensor dq = rt.alloc(DType.F32, q.shape());
        Tensor dk = rt.alloc(DType.F32, k.shape());
        Tensor dvv = rt.alloc(DType.F32, v.shape());
        Tensor delta = rt.alloc(DType.F32, lse.shape());
        try {
            byte[] p = new ParamStruct()
                    .ptr(rt.addr(q)).ptr(rt.addr(k)).ptr(rt.addr(v)).ptr(rt.addr(out)).ptr(rt.addr(dOut))
                    .ptr(rt.addr(lse)).ptr(rt.addrOrNull(spec.bias())).ptr(lens).ptr(frames)
                    .ptr(rt.addr(delta)).ptr(rt.addr(dq)).ptr(rt.addr(dk)).ptr(rt.addr(dvv))
                    .i32(Dt.code(q.dtype())).i32(Dt.code(k.dtype())).i32(Dt.code(v.dtype()))
                    .i32(Dt.code(out.dtype())).i32(Dt.code(dOut.dtype()))
                    .i32(q.dim(0)).i32(q.dim(2)).i32(q.dim(1)).i32(k.dim(1)).i32(d).i32(dv)
                    .i32(win == null ? 1 : win.tokensPerFrame())
                    .f32(spec.scale())
                    .bytes(160);
            if (qRows > 0) {
                int blocks = (int) ((qRows + ROWS - 1) / ROWS);
                rt.launch(rt.kernel("attention_grad", "attention_grad_delta"), blocks, 1, 1, ROWS * 32, 0, (Object) p);
                rt.launch(rt.kernel("attention_grad", "attention_grad_dq"), blocks, 1, 1, ROWS * 32, 0, (Object) p);
            }
            if (kRows > 0) {
                rt.launch(rt.kernel("attention_grad", "attention_grad_dkdv"), (int) ((kRows + ROWS - 1) / ROWS), 1, 1,
                        ROWS * 32, 0, (Object) p);
            }
        } catch (RuntimeException e) {
            dq.close();
            dk.close();
            dvv.close();
            throw e;
        } finally {
            delta.close();
        }
        return new AttentionGrads(dq, dk, dvv);
    }
}
