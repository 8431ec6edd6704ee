package dev.surf.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.surf.core.AttentionSpec;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.TimeWindow;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Flash (BF16, d 64/128) and generic attention against CpuAttention, with every mask. Every BF16 case
 * with head dim 64 or 128 runs on each kernel that takes it: the mma.sync flash kernel and, on compute
 * capability 9.0, both variants of the TMA + wgmma kernel (cuda/attention_wgmma.cu, forced here
 * whatever -Dsurf.cuda.attnWgmma says), each on the same fresh random inputs and a poisoned output.
 * Plain F32 attention runs on the GEMM path (two F32 GEMMs around softmax_rows) and the generic kernel.
 */
@Tag("gpu")
class AttentionKernelTest extends CudaTestBase {
    private static final AttentionPath[] AUTO_ONLY = {AttentionPath.AUTO};

    @AfterEach
    void resetPath() {
        if (gpu != null) {
            gpu.controls().setAttentionPath(AttentionPath.AUTO);
        }
    }

    /** The kernels that take BF16 with head dim 64/128 on this device. */
    private static AttentionPath[] flashPaths() {
        List<AttentionPath> paths = new ArrayList<>(List.of(AttentionPath.FLASH));
        if (gpu.controls().caps().hasAttnWgmma()) {
            paths.add(AttentionPath.WGMMA);
            paths.add(AttentionPath.WGMMA_SIMPLE);
        }
        return paths.toArray(AttentionPath[]::new);
    }

    private void check(String what, AttentionPath[] paths, DType dt, int b, int lq, int lk, int h, int d, int dv,
                       int[] keyLengths, boolean bias, TimeWindow window, float scale) {
        try (Both q = random(dt, 1.0, b, lq, h, d); Both k = random(dt, 1.0, b, lk, h, d);
             Both v = random(dt, 1.0, b, lk, h, dv);
             Both bs = bias ? random(DType.F32, 2.0, h, lq, lk) : null) {
            AttentionSpec gs = new AttentionSpec(scale, keyLengths, bs == null ? null : bs.g(), window);
            AttentionSpec cs = new AttentionSpec(scale, keyLengths, bs == null ? null : bs.c(), window);
            try (Tensor c = cpu.attention(q.c(), k.c(), v.c(), cs)) {
                for (AttentionPath path : paths) {
                    gpu.controls().setAttentionPath(path);
                    try (Tensor g = gpu.attention(q.g(), k.g(), v.g(), gs)) {
                        assertEquals(Shape.of(b, lq, h, dv), g.shape());
                        assertEquals(dt, g.dtype());
                        assertMatches(what + " [" + path + "] " + dt + " B=" + b + " Lq=" + lq + " Lk=" + lk + " H=" + h
                                + " d=" + d + " dv=" + dv + " lens=" + java.util.Arrays.toString(keyLengths) + " bias=" + bias
                                + " window=" + window + " scale=" + scale, g, c);
                    }
                }
            } finally {
                gpu.controls().setAttentionPath(AttentionPath.AUTO);
            }
        }
    }

    /** Flash-shaped (BF16, d = dv = 64/128): every kernel that takes it. */
    private void check(String what, DType dt, int b, int lq, int lk, int h, int d, int dv, int[] keyLengths,
                       boolean bias, TimeWindow window, float scale) {
        boolean flashShaped = dt == DType.BF16 && d == dv && (d == 64 || d == 128);
        check(what, flashShaped ? flashPaths() : AUTO_ONLY, dt, b, lq, lk, h, d, dv, keyLengths, bias, window, scale);
    }

    private void check(String what, DType dt, int b, int lq, int lk, int h, int d, int[] lens, boolean bias, TimeWindow w) {
        check(what, dt, b, lq, lk, h, d, d, lens, bias, w, (float) (1 / Math.sqrt(d)));
    }

    @Test
    void flashGlobalBothHeadDims() {
        for (int d : new int[] {64, 128}) {
            check("flash", DType.BF16, 1, 1, 1, 1, d, null, false, null);
            check("flash", DType.BF16, 2, 37, 37, 3, d, null, false, null);
            check("flash", DType.BF16, 1, 64, 64, 2, d, null, false, null);
            check("flash", DType.BF16, 1, 333, 333, 1, d, null, false, null);
            check("flash cross", DType.BF16, 2, 130, 77, 2, d, null, false, null);
            check("flash cross", DType.BF16, 1, 5, 200, 2, d, null, false, null);
        }
    }

    @Test
    void flashLongSequence() {
        check("flash long", DType.BF16, 1, 1500, 1500, 2, 128, null, false, null);
        check("flash long", DType.BF16, 1, 777, 1029, 2, 64, null, false, null);
    }

    @Test
    void flashKeyLengthsAndBias() {
        for (int d : new int[] {64, 128}) {
            check("flash lens", DType.BF16, 2, 50, 90, 2, d, new int[] {85, 3}, false, null);
            check("flash lens, an empty item gives zeros", DType.BF16, 2, 40, 70, 1, d, new int[] {0, 70}, false, null);
            check("flash bias", DType.BF16, 2, 45, 67, 3, d, null, true, null);
            check("flash bias+lens", DType.BF16, 2, 70, 130, 2, d, d, new int[] {129, 64}, true, null, 1f);
        }
    }

    @Test
    void flashTimeWindows() {
        int frames = 6;
        int t = 11;
        int l = frames * t;
        for (int d : new int[] {64, 128}) {
            check("flash window", DType.BF16, 1, l, l, 2, d, null, false, new TimeWindow(frames, t, 2, 0));
            check("flash window shifted", DType.BF16, 2, l, l, 2, d, null, false, new TimeWindow(frames, t, 2, 1));
            check("flash window 4/3", DType.BF16, 1, l, l, 1, d, null, false, new TimeWindow(frames, t, 4, 3));
            check("flash window covers all", DType.BF16, 1, l, l, 1, d, null, false, new TimeWindow(frames, t, 6, 2));
            check("flash window + lens", DType.BF16, 2, l, l, 1, d, new int[] {l - 13, l}, false, new TimeWindow(frames, t, 3, 1));
        }
        // frames longer than a 64-row tile, windows spanning several key tiles
        check("flash window big frames", DType.BF16, 1, 5 * 150, 5 * 150, 2, 128, null, false, new TimeWindow(5, 150, 2, 1));
    }

    @Test
    void manyKeyTilesRingPhasesAndRaggedEnds() {
        // 128-key tiles: 8 and 17 tiles wrap the wgmma kernel's 2-stage ring many times (both mbarrier
        // parities); 128-row query tiles with ragged last tiles; several batch items and heads
        for (int d : new int[] {64, 128}) {
            check("many tiles", DType.BF16, 2, 1000, 1000, 3, d, null, false, null);
            check("many tiles cross", DType.BF16, 1, 259, 2100, 2, d, null, false, null);
            check("one query, many keys", DType.BF16, 1, 1, 1029, 2, d, null, false, null);
            check("many queries, one key", DType.BF16, 2, 700, 1, 1, d, null, false, null);
        }
        // exactly one and exactly two tiles (the overlapped kernel's prologue/epilogue without a loop body)
        check("one tile", DType.BF16, 1, 128, 128, 2, 128, null, false, null);
        check("two tiles", DType.BF16, 1, 256, 256, 2, 128, null, false, null);
        check("three tiles", DType.BF16, 1, 129, 257, 1, 64, null, false, null);
    }

    @Test
    void masksOnLongSequences() {
        // key lengths that end inside a tile and an item with none; bias with lens; unit scale
        check("long lens", DType.BF16, 3, 400, 900, 2, 128, 128, new int[] {517, 0, 900}, false, null, (float) (1 / Math.sqrt(128)));
        check("long bias+lens", DType.BF16, 2, 300, 390, 2, 64, 64, new int[] {389, 130}, true, null, 1f);
        check("long bias", DType.BF16, 1, 260, 333, 2, 128, 128, null, true, null, 0.05f);
        // Wan-like windows: frames of 300 tokens (query tiles straddle frames, key ranges start mid-tile)
        int frames = 7;
        int t = 300;
        check("long window 3/7", DType.BF16, 1, frames * t, frames * t, 2, 128, null, false, new TimeWindow(frames, t, 3, 0));
        check("long window shifted + lens", DType.BF16, 2, frames * t, frames * t, 1, 64, new int[] {frames * t - 250, frames * t},
                false, new TimeWindow(frames, t, 2, 1));
    }

    @Test
    void forcedPathsRefuseOperandsTheyCannotRun() {
        try (Both q = random(DType.F32, 1, 1, 8, 1, 64)) {
            gpu.controls().setAttentionPath(AttentionPath.FLASH);
            AttentionSpec s = AttentionSpec.standard(64);
            assertThrows(IllegalArgumentException.class, () -> gpu.attention(q.g(), q.g(), q.g(), s));
            gpu.controls().setAttentionPath(AttentionPath.WGMMA);
            assertThrows(IllegalArgumentException.class, () -> gpu.attention(q.g(), q.g(), q.g(), s));
        }
    }

    @Test
    void wgmmaNeedsHopper() {
        Assumptions.assumeFalse(gpu.controls().caps().hasAttnWgmma(), "this device runs the wgmma kernel (covered by the other tests)");
        try (Both q = random(DType.BF16, 1, 1, 8, 1, 64)) {
            gpu.controls().setAttentionPath(AttentionPath.WGMMA);
            assertThrows(IllegalArgumentException.class, () -> gpu.attention(q.g(), q.g(), q.g(), AttentionSpec.standard(64)));
        }
    }

    @Test
    void genericPathForOtherDtypesAndDims() {
        check("generic f32", DType.F32, 2, 37, 41, 3, 64, null, false, null);
        check("generic f32 d=128 window", DType.F32, 1, 66, 66, 2, 128, null, false, new TimeWindow(6, 11, 2, 1));
        check("generic f32 odd d", DType.F32, 1, 29, 31, 2, 40, new int[] {17}, true, null);
        check("generic bf16 d=40", DType.BF16, 2, 33, 33, 2, 40, new int[] {33, 5}, false, null);
        check("generic f16", DType.F16, 1, 20, 24, 2, 64, null, true, null);
        check("generic dv != d", DType.F32, 2, 19, 23, 2, 32, 48, new int[] {23, 0}, false, null, 0.3f);
        check("generic d=1", DType.F32, 1, 7, 9, 1, 1, null, false, null);
    }

    @Test
    void gemmPathForPlainF32Attention() {
        AttentionPath[] both = {AttentionPath.GEMM, AttentionPath.GENERIC,
                AttentionPath.AUTO};
        // the Wan-VAE's middle attention: one head of 384 over a frame's tokens
        check("gemm vae-like", both, DType.F32, 2, 700, 700, 1, 384, 384, null, false, null, (float) (1 / Math.sqrt(384)));
        check("gemm heads, dv != d", both, DType.F32, 2, 300, 257, 3, 64, 48, null, false, null, 0.3f);
        // more scores than one block holds (CudaAttentionGemm.SCORE_FLOATS): several query blocks
        int l = (int) Math.sqrt(CudaAttentionGemm.SCORE_FLOATS) + 700;
        check("gemm query blocks", new AttentionPath[] {AttentionPath.GEMM}, DType.F32, 1, l, l, 1,
                8, 8, null, false, null, 0.5f);
        try (Both q = random(DType.F32, 1, 1, 8, 1, 64); Both b16 = random(DType.BF16, 1, 1, 8, 1, 64);
             Both bias = random(DType.F32, 1, 1, 8, 8)) {
            gpu.controls().setAttentionPath(AttentionPath.GEMM);
            AttentionSpec s = AttentionSpec.standard(64);
            assertThrows(IllegalArgumentException.class, () -> gpu.attention(b16.g(), b16.g(), b16.g(), s));
            assertThrows(IllegalArgumentException.class, () -> gpu.attention(q.g(), q.g(), q.g(),
                    new AttentionSpec(s.scale(), null, bias.g(), null)));
            assertThrows(IllegalArgumentException.class, () -> gpu.attention(q.g(), q.g(), q.g(),
                    new AttentionSpec(s.scale(), new int[] {4}, null, null)));
        }
    }

    @Test
    void windowNeedsSquareAttention() {
        try (Both q = random(DType.BF16, 1, 1, 12, 1, 64); Both k = random(DType.BF16, 1, 1, 10, 1, 64)) {
            AttentionSpec s = AttentionSpec.standard(64).withWindow(new TimeWindow(3, 4, 2, 0));
            assertThrows(IllegalArgumentException.class, () -> gpu.attention(q.g(), k.g(), k.g(), s));
        }
    }
}
