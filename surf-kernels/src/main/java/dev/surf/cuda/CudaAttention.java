package dev.surf.cuda;

import dev.surf.core.AttentionSpec;
import dev.surf.core.DType;
import dev.surf.core.Tensor;
import dev.surf.core.TimeWindow;
import java.util.Arrays;

/**
 * Multi-head attention (cuda/attention.cu for BF16 with head dim 64 or 128, cuda/attention_generic.cu
 * otherwise); CPU reference: CpuAttention. Time windows become a per-frame table of key-token ranges
 * ({@link DeviceTables#frameRanges}), so kernels skip key tiles outside a query tile's windows and
 * never roll data.
 */
final class CudaAttention {
    private static final int FLASH_ROWS = 64;
    private static final int GENERIC_ROWS = 4;
    private static final int GENERIC_MAX_DV = 512;
    private static final double LOG2E = 1.4426950408889634;

    private CudaAttention() {
    }

    static Tensor attention(CudaBackend be, Tensor q, Tensor k, Tensor v, AttentionSpec spec) {
        if (q.rank() != 4 || k.rank() != 4 || v.rank() != 4) {
            throw new IllegalArgumentException("attention: q, k, v must be [B, L, H, d], got " + q.shape() + ", "
                    + k.shape() + ", " + v.shape());
        }
        int b = q.dim(0);
        int lq = q.dim(1);
        int h = q.dim(2);
        int d = q.dim(3);
        int lk = k.dim(1);
        int dv = v.dim(3);
        if (k.dim(0) != b || v.dim(0) != b || k.dim(2) != h || v.dim(2) != h || k.dim(3) != d || v.dim(1) != lk) {
            throw new IllegalArgumentException("attention: shapes q " + q.shape() + ", k " + k.shape() + ", v " + v.shape()
                    + " do not agree");
        }
        if (!q.dtype().isFloating() || !k.dtype().isFloating() || !v.dtype().isFloating()) {
            throw new IllegalArgumentException("attention needs floating q, k, v");
        }
        int[] keyLengths = spec.keyLengths();
        if (keyLengths != null && keyLengths.length < b) {
            throw new IllegalArgumentException("attention: " + keyLengths.length + " key lengths for batch " + b);
        }
        Tensor bias = spec.bias();
        if (bias != null && bias.numel() != (long) h * lq * lk) {
            throw new IllegalArgumentException("attention: bias " + bias.shape() + " must be [" + h + ", " + lq + ", " + lk + "]");
        }
        TimeWindow win = spec.window();
        if (win != null && (win.tokens() != lq || lq != lk)) {
            throw new IllegalArgumentException("attention: time window of " + win.tokens() + " tokens needs Lq == Lk == "
                    + win.tokens() + ", got " + lq + " and " + lk);
        }
        if (b > 65535 || h > 65535) {
            throw new IllegalArgumentException("attention: batch " + b + " and heads " + h + " must be at most 65535");
        }
        long qa = be.addr(q);
        long ka = be.addr(k);
        long va = be.addr(v);
        Tensor out = be.alloc(q.dtype(), q.shape().with(3, dv));
        if (out.numel() == 0) {
            return out;
        }
        Tensor biasF32 = bias != null && bias.dtype() != DType.F32 ? be.convert(bias, DType.F32) : null;
        try {
            long biasAddr = biasF32 != null ? be.addr(biasF32) : be.addrOrNull(bias);
            long lens = keyLengths == null ? 0 : be.tables.table(Arrays.copyOf(keyLengths, b));
            long frames = win == null ? 0 : be.tables.table(DeviceTables.frameRanges(win));
            int tokensPerFrame = win == null ? 1 : win.tokensPerFrame();
            long oa = be.addr(out);
            boolean flash = be.flashAttention() && q.dtype() == DType.BF16 && k.dtype() == DType.BF16 && v.dtype() == DType.BF16
                    && d == dv && (d == 64 || d == 128)
                    && qa % 16 == 0 && ka % 16 == 0 && va % 16 == 0 && oa % 16 == 0;
            if (flash) {
                String fn = "attention_flash_d" + d;
                byte[] p = new ParamStruct()
                        .ptr(qa).ptr(ka).ptr(va).ptr(oa)
                        .ptr(biasAddr).ptr(lens).ptr(frames)
                        .i32(h).i32(lq).i32(lk).i32(tokensPerFrame)
                        .f32((float) (spec.scale() * LOG2E))
                        .bytes(80);
                be.launch(be.kernel("attention", fn), (lq + FLASH_ROWS - 1) / FLASH_ROWS, h, b, 128,
                        be.constant("attention", fn + "_smem"), (Object) p);
            } else {
                if (dv > GENERIC_MAX_DV) {
                    throw new IllegalArgumentException("attention: value head dim " + dv + " exceeds " + GENERIC_MAX_DV
                            + " on the CUDA backend");
                }
                long rows = (long) b * h * lq;
                long blocks = (rows + GENERIC_ROWS - 1) / GENERIC_ROWS;
                if (blocks > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("attention: " + rows + " query rows exceed the grid limit");
                }
                byte[] p = new ParamStruct()
                        .ptr(qa).ptr(ka).ptr(va).ptr(oa)
                        .ptr(biasAddr).ptr(lens).ptr(frames)
                        .i32(Dt.code(q.dtype())).i32(Dt.code(k.dtype())).i32(Dt.code(v.dtype())).i32(Dt.code(out.dtype()))
                        .i32(b).i32(h).i32(lq).i32(lk).i32(d).i32(dv)
                        .i32(tokensPerFrame)
                        .f32(spec.scale())
                        .bytes(104);
                be.launch(be.kernel("attention_generic", "attention_generic"), (int) blocks, 1, 1, GENERIC_ROWS * 32,
                        GENERIC_ROWS * d * 4, (Object) p);
            }
        } catch (RuntimeException e) {
            out.close();
            throw e;
        } finally {
            if (biasF32 != null) {
                biasF32.close();
            }
        }
        return out;
    }
}
