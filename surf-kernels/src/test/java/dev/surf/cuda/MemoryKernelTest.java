package dev.surf.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.DType;
import dev.surf.core.Half;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.testing.Numerics;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Uploads, downloads, weights, the caching allocator, poisoning and event timing. */
@Tag("gpu")
class MemoryKernelTest extends CudaTestBase {

    @Test
    void roundTripsThroughHeapAndNativeMemory() {
        float[] x = Numerics.uniform(rnd, 100_003, 10);
        try (Tensor t = gpu.fromFloats(x, Shape.of(100_003))) {
            assertArrayEquals(x, gpu.toFloats(t));
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment native1 = arena.allocate(t.byteSize(), 16);
                gpu.copyToHost(t, native1);
                assertArrayEquals(x, native1.toArray(ValueLayout.JAVA_FLOAT));
                try (Tensor u = gpu.fromBytes(DType.F32, Shape.of(100_003), native1)) {
                    assertArrayEquals(x, gpu.toFloats(u));
                }
            }
        }
        // larger than the 32 MiB staging buffer
        float[] big = new float[(40 << 20) / 4 + 3];
        for (int i = 0; i < big.length; i += 997) {
            big[i] = i;
        }
        try (Tensor t = gpu.fromFloats(big, Shape.of(big.length))) {
            assertArrayEquals(big, gpu.toFloats(t));
        }
    }

    @Test
    void loadWeightConvertsOnUpload() {
        float[] w = Numerics.uniform(rnd, 999, 4);
        for (DType stored : new DType[] {DType.F32, DType.BF16, DType.F16}) {
            MemorySegment bytes = encode(w, stored);
            for (DType use : new DType[] {DType.BF16, DType.F32}) {
                try (Tensor g = gpu.loadWeight(stored, Shape.of(27, 37), bytes, use);
                     Tensor c = cpu.loadWeight(stored, Shape.of(27, 37), bytes, use)) {
                    assertEquals(use, g.dtype());
                    assertSameBits("loadWeight " + stored + " as " + use, g, c);
                }
            }
        }
        assertThrows(IllegalArgumentException.class,
                () -> gpu.loadWeight(DType.F32, Shape.of(3), MemorySegment.ofArray(new byte[8]), DType.BF16));
    }

    @Test
    void viewsAndSlicesAddressTheRightBytes() {
        float[] x = Numerics.uniform(rnd, 60, 1);
        try (Both t = both(x, DType.F32, 6, 10)) {
            Tensor g = t.g().slice(2, 5).view(3, 2, 5);
            Tensor c = t.c().slice(2, 5).view(3, 2, 5);
            assertSameBits("slice", g, c);
            try (Tensor gs = gpu.mul(g, g); Tensor cs = cpu.mul(c, c)) {
                assertSameBits("op on a slice", gs, cs);
            }
        }
    }

    @Test
    void zerosAndPoison() {
        try (Tensor z = gpu.zeros(DType.BF16, Shape.of(17, 3))) {
            for (float f : gpu.toFloats(z)) {
                assertEquals(0f, f);
            }
        }
        try (Tensor e = gpu.empty(DType.F32, Shape.of(33))) {
            for (float f : gpu.toFloats(e)) {
                assertTrue(Float.isNaN(f), "poisoned allocations read as NaN");
            }
        }
        try (Tensor e = gpu.empty(DType.BF16, Shape.of(5))) {
            short[] bits = new short[5];
            gpu.copyToHost(e, MemorySegment.ofArray(bits));
            assertTrue(Float.isNaN(Half.bf16ToFloat(bits[0])));
        }
    }

    @Test
    void cachingAllocatorReusesBlocks() {
        long before = gpu.controls().memoryStats()[0];
        long addr;
        try (Tensor a = gpu.empty(DType.F32, Shape.of(1 << 20))) {
            addr = ((CudaStorage) a.storage()).address();
            assertTrue(gpu.controls().memoryStats()[0] >= before + (4L << 20));
        }
        try (Tensor b = gpu.empty(DType.F32, Shape.of((1 << 20) - 5))) {
            assertEquals(addr, ((CudaStorage) b.storage()).address(), "a freed block of the same size class is handed out again");
        }
        assertEquals(before, gpu.controls().memoryStats()[0]);
    }

    @Test
    void outOfMemorySaysHowMuch() {
        CudaOutOfMemoryException e = assertThrows(CudaOutOfMemoryException.class,
                () -> gpu.empty(DType.F32, Shape.of(1 << 30, 1 << 10)));
        String m = e.getMessage();
        assertTrue(m.startsWith("CUDA out of memory: asked for 4096.000 GiB, "), m);
        assertTrue(m.contains(" GiB free of ") && m.contains(" GiB"), m);
        // the backend still works afterwards
        try (Tensor t = gpu.fromFloats(new float[] {1, 2}, Shape.of(2))) {
            assertArrayEquals(new float[] {1, 2}, gpu.toFloats(t));
        }
    }

    @Test
    void memoryLimitIsEnforcedWithAClearMessage() {
        try (CudaBackend capped = new CudaBackend(0)) {
            capped.setMemoryLimit(64L << 20);
            try (Tensor ok = capped.empty(DType.F32, Shape.of(8 << 20))) {
                CudaOutOfMemoryException e = assertThrows(CudaOutOfMemoryException.class,
                        () -> capped.empty(DType.F32, Shape.of(16 << 20)));
                assertTrue(e.getMessage().startsWith("CUDA memory limit reached: asked for 0.063 GiB"), e.getMessage());
                assertTrue(e.getMessage().contains("limited to 0.063 GiB"), e.getMessage());
            }
            // freed memory is cached, and the cache gives way to a request under the cap
            try (Tensor again = capped.empty(DType.F32, Shape.of(12 << 20))) {
                assertEquals(12 << 20, again.numel());
            }
        }
    }

    @Test
    void eventsTimeQueuedWork() {
        try (Tensor t = gpu.empty(DType.F32, Shape.of(1 << 24))) {
            float ms = gpu.controls().elapsedMs(() -> gpu.fillNormal(t, 1, 2));
            assertTrue(ms > 0 && ms < 10_000, "elapsed " + ms + " ms");
        }
    }

    @Test
    void profileCountsEveryLaunchByKernel() {
        assertThrows(IllegalStateException.class, gpu.controls()::profileReport, "a report with profiling off names the switch");
        try (Tensor t = gpu.empty(DType.F32, Shape.of(1 << 22))) {
            gpu.controls().setProfiling(true);
            try {
                float wall = gpu.controls().elapsedMs(() -> {
                    for (int i = 0; i < 3; i++) {
                        gpu.fillNormal(t, 1, i);
                    }
                });
                String report = gpu.controls().profileReport();
                String row = report.lines().filter(l -> l.startsWith("philox/philox_normal ")).findFirst().orElseThrow(
                        () -> new AssertionError("no philox/philox_normal row in\n" + report));
                String[] f = row.trim().split("\\s+");
                assertEquals("3", f[1], "three launches counted: " + row);
                double total = Double.parseDouble(f[2]);
                assertTrue(total > 0 && total <= wall * 1.01 + 0.01, "kernel time " + total + " ms within the " + wall + " ms of events around it");
                assertTrue(gpu.controls().profileReport().lines().noneMatch(l -> l.startsWith("philox/philox_normal ")), "a report starts a new count");
            } finally {
                gpu.controls().setProfiling(false);
            }
        }
    }

    @Test
    void foreignTensorsAreRejected() {
        try (Tensor c = cpu.zeros(DType.F32, Shape.of(4)); Tensor g = gpu.zeros(DType.F32, Shape.of(4))) {
            assertThrows(IllegalArgumentException.class, () -> gpu.add(g, c));
        }
    }
}
