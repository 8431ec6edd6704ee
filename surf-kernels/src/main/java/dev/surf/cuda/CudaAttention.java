package dev.surf.cuda;

import dev.surf.core.AttentionSpec;
import dev.surf.core.AttentionWithLse;
import dev.surf.core.DType;
import dev.surf.core.OpChecks;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.TimeWindow;

/**
 * Multi-head attention (cuda/attention_wgmma.cu on Hopper, cuda/attention.cu for BF16 with head dim 64
 * or 128, cuda/attention_generic.cu otherwise, and for plain F32 attention two GEMMs around a row
 * softmax, {@link CudaAttentionGemm}; the kernel by {@link AttentionChoice}); CPU reference:
 * CpuAttention. Time windows become a per-frame table of key-token ranges
 * ({@link DeviceTables#frameRanges}), so kernels skip key tiles outside a query tile's windows and never
 * roll data.
 */
final class CudaAttention {
    private static final int FLASH_ROWS = 64;
    /** Query rows per block of the wgmma kernel, and the key rows of one TMA box. */
    private static final int WGMMA_ROWS = 128;
    private static final int WGMMA_THREADS = 384;
    private static final int GENERIC_ROWS = 4;
    private static final int GENERIC_MAX_DV = 512;
    private static final double LOG2E = 1.4426950408889634;

    private final CudaRuntime rt;
    private final CudaControls controls;
    private final CudaAttentionGemm gemm;

    CudaAttention(CudaRuntime rt, CudaControls controls, CudaAttentionGemm gemm) {
        this.rt = rt;
        this.controls = controls;
        this.gemm = gemm;
    }

    Tensor attention(Tensor q, Tensor k, Tensor v, AttentionSpec spec) {
        OpChecks.attention(q, k, v, spec);
        int b = q.dim(0);
        int lq = q.dim(1);
        int h = q.dim(2);
        int d = q.dim(3);
        int lk = k.dim(1);
        int dv = v.dim(3);
        if (b > 65535 || h > 65535) {
            throw new IllegalArgumentException("attention: batch " + b + " and heads " + h + " must be at most 65535");
        }
        int[] keyLengths = spec.keyLengths();
        Tensor bias = spec.bias();
        TimeWindow win = spec.window();
        long qa = rt.addr(q);
        long ka = rt.addr(k);
        long va = rt.addr(v);
        Tensor out = rt.alloc(q.dtype(), q.shape().with(3, dv));
        if (out.numel() == 0) {
            return out;
        }
        try {
            long oa = rt.addr(out);
            AttentionChoice choice = AttentionChoice.of(new AttentionChoice.Operands(rt.operand(q), rt.operand(k),
                    rt.operand(v), rt.operand(out), b, lq, lk, h, d, dv, bias != null, win != null, keyLengths != null),
                    rt.caps, controls.settings(), controls.attentionPath());
            if (choice == AttentionChoice.GEMM) {
                gemm.attention(q, k, v, out, spec.scale());
                return out;
            }
            long biasAddr = rt.addrOrNull(bias);
            long lens = keyLengths == null ? 0 : rt.tables.table(keyLengths);
            long frames = win == null ? 0 : rt.tables.table(DeviceTables.frameRanges(win));
            int tokensPerFrame = win == null ? 1 : win.tokensPerFrame();
            float scaleLog2 = (float) (spec.scale() * LOG2E);
            CudaKernel kernel = rt.kernel(choice.module, choice.function(d));
            switch (choice) {
                case WGMMA, WGMMA_SIMPLE -> {
                    byte[] p = new ParamStruct()
                            .block(TensorMaps.attentionOperand(qa, b, lq, h, d, WGMMA_ROWS), 64)
                            .block(TensorMaps.attentionOperand(ka, b, lk, h, d, WGMMA_ROWS), 64)
                            .block(TensorMaps.attentionOperand(va, b, lk, h, d, WGMMA_ROWS), 64)
                            .ptr(oa).ptr(biasAddr).ptr(lens).ptr(frames)
                            .i32(h).i32(lq).i32(lk).i32(tokensPerFrame)
                            .f32(scaleLog2)
                            .bytes(448);
                    rt.launch(kernel, (lq + WGMMA_ROWS - 1) / WGMMA_ROWS, h, b, WGMMA_THREADS,
                            rt.constant("attention_wgmma", "attention_wgmma_d" + d + "_smem"), (Object) p);
                }
                case FLASH -> {
                    byte[] p = new ParamStruct()
                            .ptr(qa).ptr(ka).ptr(va).ptr(oa)
                            .ptr(biasAddr).ptr(lens).ptr(frames)
                            .i32(h).i32(lq).i32(lk).i32(tokensPerFrame)
                            .f32(scaleLog2)
                            .bytes(80);
                    rt.launch(kernel, (lq + FLASH_ROWS - 1) / FLASH_ROWS, h, b, 128,
                            rt.constant("attention", choice.function(d) + "_smem"), (Object) p);
                }
                case GENERIC -> generic(q, k, v, out, 0, spec, lens, frames);
                case GEMM -> throw new AssertionError("handled above");
            }
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
        return out;
    }

    /**
     * The forward of training: attention through the generic kernel (whatever the choice function
     * would take), which also writes each row's log-sum-exp; out in q's dtype, lse F32 [B, H, Lq].
     */
    AttentionWithLse attentionWithLse(Tensor q, Tensor k, Tensor v, AttentionSpec spec) {
        OpChecks.attention(q, k, v, spec);
        if (q.dim(0) > 65535 || q.dim(2) > 65535) {
            throw new IllegalArgumentException("attentionWithLse: batch " + q.dim(0) + " and heads " + q.dim(2)
                    + " must be at most 65535");
        }
        long lens = spec.keyLengths() == null ? 0 : rt.tables.table(spec.keyLengths());
        long frames = spec.window() == null ? 0 : rt.tables.table(DeviceTables.frameRanges(spec.window()));
        rt.addr(k);
        rt.addr(v);
        Tensor out = rt.alloc(q.dtype(), q.shape().with(3, v.dim(3)));
        Tensor lse = rt.alloc(DType.F32, Shape.of(q.dim(0), q.dim(2), q.dim(1)));
        try {
            if (out.numel() > 0) {
                generic(q, k, v, out, rt.addr(lse), spec, lens, frames);
            } else if (lse.numel() > 0) {
                rt.fill(lse, (byte) 0);  // no value columns: the lse is never read, but must not be poison
            }
        } catch (RuntimeException e) {
            out.close();
            lse.close();
            throw e;
        }
        return new AttentionWithLse(out, lse);
    }

    /** The generic kernel into out (and the row log-sum-exp into lseAddr unless 0). */
    private void generic(Tensor q, Tensor k, Tensor v, Tensor out, long lseAddr, AttentionSpec spec, long lens, long frames) {
        int dv = v.dim(3);
        if (dv > GENERIC_MAX_DV) {
            throw new IllegalArgumentException("attention: value head dim " + dv + " exceeds " + GENERIC_MAX_DV
                    + " on the CUDA backend");
        }
        long rows = (long) q.dim(0) * q.dim(2) * q.dim(1);
        long blocks = (rows + GENERIC_ROWS - 1) / GENERIC_ROWS;
        if (blocks > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("attention: " + rows + " query rows exceed the grid limit");
        }
        int tokensPerFrame = spec.window() == null ? 1 : spec.window().tokensPerFrame();
        byte[] p = new ParamStruct()
                .ptr(rt.addr(q)).ptr(rt.addr(k)).ptr(rt.addr(v)).ptr(rt.addr(out))
                .ptr(rt.addrOrNull(spec.bias())).ptr(lens).ptr(frames).ptr(lseAddr)
                .i32(Dt.code(q.dtype())).i32(Dt.code(k.dtype())).i32(Dt.code(v.dtype())).i32(Dt.code(out.dtype()))
                .i32(q.dim(0)).i32(q.dim(2)).i32(q.dim(1)).i32(k.dim(1)).i32(q.dim(3)).i32(dv)
                .i32(tokensPerFrame)
                .f32(spec.scale())
                .bytes(112);
        rt.launch(rt.kernel(AttentionChoice.GENERIC.module, AttentionChoice.GENERIC.function(q.dim(3))), (int) blocks, 1, 1,
                GENERIC_ROWS * 32, GENERIC_ROWS * q.dim(3) * 4, (Object) p);
    }
}
