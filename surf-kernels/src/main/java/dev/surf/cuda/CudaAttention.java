package dev.surf.cuda;

import dev.surf.core.AttentionSpec;
import dev.surf.core.DType;
import dev.surf.core.Tensor;
import dev.surf.core.TimeWindow;
import java.util.Arrays;

/**
 * Multi-head attention (cuda/attention.cu for BF16 with head dim 64 or 128, cuda/attention_generic.cu
 * otherwise, and on Hopper cuda/attention_wgmma.cu); CPU reference: CpuAttention. Time windows
 * become a per-frame table of key-token ranges ({@link DeviceTables#frameRanges}), so kernels skip key
 * tiles outside a query tile's windows and never roll data.
 *
 * <p>Plain F32 attention (no bias, window or key lengths; the Wan-VAE's) runs as two GEMMs around a row
 * softmax ({@link CudaAttentionGemm}) unless it is tiny.
 *
 * <p>AUTO takes the wgmma kernel on Hopper unless -Dsurf.cuda.attnWgmma=false;
 * {@link CudaBackend#setAttentionPath} forces any path for tests.
 */
final class CudaAttention {
    private static final int FLASH_ROWS = 64;
    /** Query rows per block of the wgmma kernel, and the key rows of one TMA box. */
    private static final int WGMMA_ROWS = 128;
    private static final int WGMMA_THREADS = 384;
    /** Key lengths up to this take the wgmma kernel's plain variant under AUTO. */
    private static final int SHORT_KEYS = 2048;
    private static final int GENERIC_ROWS = 4;
    /** F32 attention with at least this many scores per (batch, head) goes to the GEMM path (AUTO). */
    private static final long GEMM_MIN_SCORES = 4096;
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
        CudaBackend.AttentionPath path = be.attentionPath();
        boolean gemmShape = q.dtype() == DType.F32 && k.dtype() == DType.F32 && v.dtype() == DType.F32
                && bias == null && win == null && keyLengths == null && lk > 0;
        if (path == CudaBackend.AttentionPath.GEMM && !gemmShape) {
            out.close();
            throw new IllegalArgumentException("attention: the GEMM path needs F32 q, k, v and no bias, time window or key "
                    + "lengths; got q " + q + ", k " + k + ", v " + v);
        }
        if (path == CudaBackend.AttentionPath.GEMM || (path == CudaBackend.AttentionPath.AUTO && gemmShape
                && (long) lq * lk >= GEMM_MIN_SCORES)) {
            try {
                CudaAttentionGemm.attention(be, q, k, v, out, spec.scale());
            } catch (RuntimeException e) {
                out.close();
                throw e;
            }
            return out;
        }
        Tensor biasF32 = bias != null && bias.dtype() != DType.F32 ? be.convert(bias, DType.F32) : null;
        try {
            long biasAddr = biasF32 != null ? be.addr(biasF32) : be.addrOrNull(bias);
            long lens = keyLengths == null ? 0 : be.tables.table(Arrays.copyOf(keyLengths, b));
            long frames = win == null ? 0 : be.tables.table(DeviceTables.frameRanges(win));
            int tokensPerFrame = win == null ? 1 : win.tokensPerFrame();
            long oa = be.addr(out);
            boolean flashShape = q.dtype() == DType.BF16 && k.dtype() == DType.BF16 && v.dtype() == DType.BF16
                    && d == dv && (d == 64 || d == 128)
                    && qa % 16 == 0 && ka % 16 == 0 && va % 16 == 0 && oa % 16 == 0;
            // TMA maps need every dimension >= 1 (Lk = 0 stays on the other kernels)
            boolean wgmmaShape = flashShape && lk > 0;
            boolean forcedWgmma = path == CudaBackend.AttentionPath.WGMMA || path == CudaBackend.AttentionPath.WGMMA_SIMPLE;
            if (forcedWgmma && !be.hasAttnWgmma()) {
                throw new IllegalArgumentException("attention: the wgmma path needs compute capability 9.0, the sm_90a "
                        + "kernels and the driver's tensor-map encoder; this is " + be.computeCapability()
                        + (TensorMaps.unavailableReason() == null ? "" : " (" + TensorMaps.unavailableReason() + ")"));
            }
            if ((forcedWgmma && !wgmmaShape) || (path == CudaBackend.AttentionPath.FLASH && !flashShape)) {
                throw new IllegalArgumentException("attention: the " + path + " path needs BF16 q, k, v with equal head "
                        + "dims 64 or 128, 16-byte aligned operands" + (forcedWgmma ? " and Lk > 0" : "") + "; got q "
                        + q + ", k " + k + ", v " + v);
            }
            CudaBackend.AttentionPath wgmma = forcedWgmma ? path
                    : path == CudaBackend.AttentionPath.AUTO && wgmmaShape ? be.autoAttnWgmma() : null;
            // a few key tiles (cross-attention to 512 text tokens) leave the overlapped kernel's turns
            // nothing to hide and cost its prologue: the plain variant is faster there (0.36 vs 0.47 ms,
            // H100, 32760 x 512 x 12 x 128)
            if (wgmma == CudaBackend.AttentionPath.WGMMA && !forcedWgmma && lk <= SHORT_KEYS) {
                wgmma = CudaBackend.AttentionPath.WGMMA_SIMPLE;
            }
            boolean flash = wgmma == null && (path == CudaBackend.AttentionPath.FLASH
                    || (path == CudaBackend.AttentionPath.AUTO && be.flashAttention() && flashShape));
            if (wgmma != null) {
                byte[] p = new ParamStruct()
                        .block(TensorMaps.attentionOperand(qa, b, lq, h, d, WGMMA_ROWS), 64)
                        .block(TensorMaps.attentionOperand(ka, b, lk, h, d, WGMMA_ROWS), 64)
                        .block(TensorMaps.attentionOperand(va, b, lk, h, d, WGMMA_ROWS), 64)
                        .ptr(oa).ptr(biasAddr).ptr(lens).ptr(frames)
                        .i32(h).i32(lq).i32(lk).i32(tokensPerFrame)
                        .f32((float) (spec.scale() * LOG2E))
                        .bytes(448);
                String fn = (wgmma == CudaBackend.AttentionPath.WGMMA_SIMPLE ? "attention_wgmma_simple_d" : "attention_wgmma_d") + d;
                be.launch(be.kernel("attention_wgmma", fn), (lq + WGMMA_ROWS - 1) / WGMMA_ROWS, h, b, WGMMA_THREADS,
                        be.constant("attention_wgmma", "attention_wgmma_d" + d + "_smem"), (Object) p);
            } else if (flash) {
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
