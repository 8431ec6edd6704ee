package dev.surf.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.DType;
import dev.surf.core.Shape;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The choice functions branch by branch on the CPU, with the exact messages of the forced paths that
 * cannot run their operands (DispatchPinTest replays the device x shape x settings table; this test
 * covers what a table cannot say: the messages in full, the device caps, the schedule, the kernel
 * names and that the implicit GEMM's constants are read only when needed).
 */
class KernelChoiceTest {
    private static final long A = DispatchPinTest.BASE;
    private static final DeviceCaps H100 = DispatchPinTest.H100;
    private static final DeviceCaps A100 = DispatchPinTest.Devices.of("A100");
    private static final DeviceCaps NO_TMA = DispatchPinTest.Devices.of("H100_NO_TMA");
    private static final CudaSettings DEFAULTS = CudaSettings.DEFAULTS;

    private static Operand op(DType t, long offset) {
        return new Operand(t, A + offset);
    }

    private static String message(Supplier<?> choice) {
        return assertThrows(IllegalArgumentException.class, choice::get).getMessage();
    }

    @Test
    void deviceCapsNameWhatRunsWhere() {
        assertTrue(H100.hopper() && H100.hasWgmma() && H100.hasGemmPersistent() && H100.hasAttnWgmma());
        assertEquals("9.0", H100.computeCapability());
        assertFalse(A100.hopper() || A100.hasWgmma() || A100.hasGemmPersistent() || A100.hasAttnWgmma(),
                "the sm_90a kernels run on compute capability 9.0 only, even where their fatbins are present");
        assertFalse(DispatchPinTest.Devices.of("B200").hopper(), "10.0 is not Hopper");
        assertTrue(NO_TMA.hasWgmma(), "the non-persistent wgmma GEMM needs no tensor maps");
        assertFalse(NO_TMA.hasGemmPersistent() || NO_TMA.hasAttnWgmma());
        DeviceCaps noPersistent = new DeviceCaps(9, 0, 132, 232448, Set.of("gemm_wgmma", "attention_wgmma"), null);
        assertTrue(noPersistent.hasWgmma() && noPersistent.hasAttnWgmma() && !noPersistent.hasGemmPersistent());
        assertEquals("cc 9.0, 132 SMs, wgmma yes, persistent GEMM no, wgmma attention no ("
                + DispatchPinTest.Devices.NO_ENCODER + ")", NO_TMA.toString());
        assertEquals("cc 8.0, 108 SMs, wgmma no, persistent GEMM no, wgmma attention no", A100.toString());
    }

    // ---------------------------------------------------------------- GEMM

    @Test
    void gemmForcedPathsRefuseWithTheReason() {
        GemmChoice.Operands f32 = new GemmChoice.Operands(op(DType.F32, 0), op(DType.F32, 0), 64, 32, 16);
        assertEquals("linear: the tensor-core paths need BF16 x and W, K % 8 == 0 and 16-byte aligned operands; got "
                        + "x [64, 16] F32 at 0x7f0000000000, W [32, 16] F32 at 0x7f0000000000",
                message(() -> GemmChoice.of(f32, H100, DEFAULTS, GemmPath.MMA)));
        GemmChoice.Operands bf16 = new GemmChoice.Operands(op(DType.BF16, 0), op(DType.BF16, 0), 64, 32, 16);
        assertEquals("linear: the wgmma path needs compute capability 9.0 and the sm_90a kernels; this is 8.0",
                message(() -> GemmChoice.of(bf16, A100, DEFAULTS, GemmPath.WGMMA)));
        GemmChoice.Operands k0 = new GemmChoice.Operands(op(DType.BF16, 0), op(DType.BF16, 0), 64, 32, 0);
        assertEquals("linear: the pingpong path needs BF16 x and W, 0 < K, K % 8 == 0 and 16-byte aligned operands; got "
                        + "x [64, 0] BF16 at 0x7f0000000000, W [32, 0] BF16 at 0x7f0000000000",
                message(() -> GemmChoice.of(k0, H100, DEFAULTS, GemmPath.PINGPONG)));
        assertEquals("linear: the persistent path needs compute capability 9.0, the sm_90a kernels and the driver's "
                        + "tensor-map encoder; this is 9.0 (" + DispatchPinTest.Devices.NO_ENCODER + ")",
                message(() -> GemmChoice.of(bf16, NO_TMA, DEFAULTS, GemmPath.PERSISTENT)));
        assertEquals("linear: the persistent path needs compute capability 9.0, the sm_90a kernels and the driver's "
                + "tensor-map encoder; this is 8.0", message(() -> GemmChoice.of(bf16, A100, DEFAULTS, GemmPath.PERSISTENT)));
    }

    @Test
    void gemmKernelsNameTheirEntryPoints() {
        for (GemmChoice c : GemmChoice.values()) {
            assertTrue(CudaModules.REQUIRED.contains(c.module) || CudaModules.HOPPER.contains(c.module), c + " " + c.module);
        }
        assertEquals("gemm_persistent/gemm_bf16_pingpong", GemmChoice.PINGPONG.module + "/" + GemmChoice.PINGPONG.function);
        assertEquals("gemm_simt/gemv_simt", GemmChoice.GEMV.module + "/" + GemmChoice.GEMV.function);
    }

    @Test
    void persistentScheduleFollowsTheSettingElseSplitsAtPingpongMaxK() {
        int at = GemmChoice.PINGPONG_MAX_K;
        assertEquals(GemmChoice.PINGPONG, GemmChoice.schedule(CudaSettings.PersistentGemm.BY_SHAPE, at));
        assertEquals(GemmChoice.PERSISTENT, GemmChoice.schedule(CudaSettings.PersistentGemm.BY_SHAPE, at + 8));
        assertEquals(GemmChoice.PERSISTENT, GemmChoice.schedule(CudaSettings.PersistentGemm.COOPERATIVE, 64));
        assertEquals(GemmChoice.PINGPONG, GemmChoice.schedule(CudaSettings.PersistentGemm.PINGPONG, 8960));
        assertThrows(IllegalArgumentException.class, () -> GemmChoice.schedule(CudaSettings.PersistentGemm.OFF, 64));
    }

    // ---------------------------------------------------------------- attention

    private static AttentionChoice.Operands attn(DType t, int lq, int lk, int d, int dv, long qOffset, boolean bias) {
        return new AttentionChoice.Operands(op(t, qOffset), op(t, 1L << 32), op(t, 2L << 32), op(t, 3L << 32), 1, lq, lk, 2,
                d, dv, bias, false, false);
    }

    @Test
    void attentionForcedPathsRefuseWithTheReason() {
        AttentionChoice.Operands bf16 = attn(DType.BF16, 256, 256, 40, 40, 0, false);
        assertEquals("attention: the GEMM path needs F32 q, k, v and no bias, time window or key lengths; got q [1, 256, 2, "
                        + "40] BF16 at 0x7f0000000000, k [1, 256, 2, 40] BF16 at 0x7f0100000000, v [1, 256, 2, 40] BF16 at "
                        + "0x7f0200000000",
                message(() -> AttentionChoice.of(bf16, H100, DEFAULTS, AttentionPath.GEMM)));
        assertTrue(message(() -> AttentionChoice.of(attn(DType.F32, 256, 256, 64, 64, 0, true), H100, DEFAULTS,
                AttentionPath.GEMM)).startsWith("attention: the GEMM path needs F32 q, k, v and no bias"));
        assertEquals("attention: the wgmma path needs compute capability 9.0, the sm_90a kernels and the driver's tensor-map "
                + "encoder; this is 8.0", message(() -> AttentionChoice.of(bf16, A100, DEFAULTS, AttentionPath.WGMMA)));
        assertTrue(message(() -> AttentionChoice.of(bf16, NO_TMA, DEFAULTS, AttentionPath.WGMMA_SIMPLE))
                .endsWith("this is 9.0 (" + DispatchPinTest.Devices.NO_ENCODER + ")"));
        assertTrue(message(() -> AttentionChoice.of(bf16, H100, DEFAULTS, AttentionPath.WGMMA)).startsWith(
                "attention: the WGMMA path needs BF16 q, k, v with equal head dims 64 or 128, 16-byte aligned operands and "
                        + "Lk > 0; got q [1, 256, 2, 40] BF16"));
        assertTrue(message(() -> AttentionChoice.of(attn(DType.BF16, 256, 256, 64, 64, 8, false), H100, DEFAULTS,
                AttentionPath.FLASH)).startsWith("attention: the FLASH path needs BF16 q, k, v with equal head dims 64 or 128, "
                + "16-byte aligned operands; got q [1, 256, 2, 64] BF16 at 0x7f0000000008"));
    }

    @Test
    void attentionKernelsAreNamedPerHeadDim() {
        assertEquals("attention_wgmma_d64", AttentionChoice.WGMMA.function(64));
        assertEquals("attention_wgmma_simple_d128", AttentionChoice.WGMMA_SIMPLE.function(128));
        assertEquals("attention_flash_d128", AttentionChoice.FLASH.function(128));
        assertEquals("attention_generic", AttentionChoice.GENERIC.function(40));
        assertEquals("softmax_rows", AttentionChoice.GEMM.function(384));
        for (AttentionChoice c : AttentionChoice.values()) {
            assertTrue(CudaModules.REQUIRED.contains(c.module) || CudaModules.HOPPER.contains(c.module), c + " " + c.module);
        }
    }

    @Test
    void theGemmPathStartsAtGemmMinScores() {
        long min = AttentionChoice.GEMM_MIN_SCORES;
        assertEquals(AttentionChoice.GEMM, AttentionChoice.of(attn(DType.F32, (int) (min / 64), 64, 64, 64, 0, false), A100,
                DEFAULTS, AttentionPath.AUTO));
        assertEquals(AttentionChoice.GENERIC, AttentionChoice.of(attn(DType.F32, (int) (min / 64) - 1, 64, 64, 64, 0, false),
                A100, DEFAULTS, AttentionPath.AUTO));
    }

    // ---------------------------------------------------------------- conv3d

    @Test
    void igemmRefusesWithTheReasonAndReadsItsTilesOnlyWhenAsked() {
        AtomicInteger asked = new AtomicInteger();
        Supplier<ConvChoice.Tiles> tiles = () -> {
            asked.incrementAndGet();
            return DispatchPinTest.IGEMM_TILES;
        };
        ConvChoice.Operands bf16 = new ConvChoice.Operands(op(DType.BF16, 0), Shape.of(4, 1, 5, 5), Shape.of(4, 4, 1, 3, 3), 25);
        assertEquals("conv3d: the implicit-GEMM path cannot run BF16[4, 1, 5, 5] at 0x7f0000000000 * [4, 4, 1, 3, 3]: it needs "
                + "an F32 input (the gather copies 4-byte elements)", message(() -> ConvChoice.of(bf16, DEFAULTS, ConvPath.IGEMM,
                tiles)));
        assertEquals(ConvChoice.DIRECT, ConvChoice.of(bf16, DEFAULTS, ConvPath.AUTO, tiles));
        ConvChoice.Operands f32 = new ConvChoice.Operands(op(DType.F32, 0), Shape.of(4, 1, 5, 5), Shape.of(4, 4, 1, 3, 3), 25);
        assertEquals(ConvChoice.DIRECT, ConvChoice.of(f32, DEFAULTS, ConvPath.DIRECT, tiles));
        assertEquals(ConvChoice.DIRECT, ConvChoice.of(f32, CudaSettings.parse(java.util.Map.of("surf.cuda.conv", "direct")),
                ConvPath.AUTO, tiles));
        assertEquals(0, asked.get(), "the kernel file's constants are read only when the implicit GEMM is considered");
        assertEquals(ConvChoice.IGEMM, ConvChoice.of(f32, DEFAULTS, ConvPath.AUTO, tiles));
        assertEquals(1, asked.get());
        assertNull(ConvChoice.igemmRefusal(f32, tiles));
        // the offsets bound: Cout x taps x CinP just inside and just past the int range (BK = 32)
        int cout = Integer.MAX_VALUE / (27 * 32);
        assertNull(ConvChoice.igemmRefusal(new ConvChoice.Operands(op(DType.F32, 0), Shape.of(32, 3, 3, 3),
                Shape.of(cout, 32, 3, 3, 3), 27), tiles));
        assertEquals("a size exceeds the kernel's 32-bit offsets", ConvChoice.igemmRefusal(new ConvChoice.Operands(
                op(DType.F32, 0), Shape.of(32, 3, 3, 3), Shape.of(cout + 1, 32, 3, 3, 3), 27), tiles));
        assertEquals("a size exceeds the kernel's 32-bit offsets", ConvChoice.igemmRefusal(new ConvChoice.Operands(
                op(DType.F32, 0), Shape.of(1, 1, 1, 1), Shape.of(1, 1, 1, 1, 1), Integer.MAX_VALUE - 127L), tiles));
        assertNull(ConvChoice.igemmRefusal(new ConvChoice.Operands(op(DType.F32, 0), Shape.of(1, 1, 1, 1),
                Shape.of(1, 1, 1, 1, 1), Integer.MAX_VALUE - 128L), tiles));
    }

    // ---------------------------------------------------------------- norms

    @Test
    void normsTakeTheWarpKernelsOnlyWhereEveryOperandAllows() {
        Operand x = op(DType.F32, 0);
        assertEquals("layer_norm_warp", NormChoice.of(x, DType.BF16, 1536, NormPath.AUTO, DEFAULTS).function("layer_norm"));
        assertEquals("rms_norm", NormChoice.of(x, DType.BF16, 1536, NormPath.BLOCK, DEFAULTS).function("rms_norm"));
        assertEquals(NormChoice.WARP, NormChoice.of(x, DType.F32, NormChoice.WARP_MAX_D, NormPath.AUTO, DEFAULTS, null, null));
        assertEquals(NormChoice.BLOCK, NormChoice.of(x, DType.F32, NormChoice.WARP_MAX_D + 128, NormPath.WARP, DEFAULTS));
        assertEquals(NormChoice.BLOCK, NormChoice.of(x, DType.F32, 1536, NormPath.WARP, DEFAULTS, op(DType.I32, 0)));
        assertEquals(NormChoice.BLOCK, NormChoice.of(x, DType.F32, 1536, NormPath.AUTO, DEFAULTS, null, op(DType.BF16, 2)));
        assertEquals(NormChoice.BLOCK, NormChoice.of(x, DType.F32, 1536, NormPath.AUTO,
                CudaSettings.parse(java.util.Map.of("surf.cuda.warpNorms", "false"))));
    }
}
