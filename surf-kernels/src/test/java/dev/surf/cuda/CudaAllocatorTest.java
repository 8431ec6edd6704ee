package dev.surf.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Size classes of the caching allocator (pure arithmetic, runs without a GPU). */
class CudaAllocatorTest {

    @Test
    void smallSizesRoundToHalfKilobytes() {
        assertEquals(512, CudaAllocator.sizeClass(1));
        assertEquals(512, CudaAllocator.sizeClass(512));
        assertEquals(1024, CudaAllocator.sizeClass(513));
        assertThrows(IllegalArgumentException.class, () -> CudaAllocator.sizeClass(0));
        assertThrows(IllegalArgumentException.class, () -> CudaAllocator.sizeClass(Long.MAX_VALUE));
    }

    @Test
    void largeSizesWasteAtMostAQuarter() {
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 100_000; i++) {
            long n = 1 + (r.nextLong() >>> (9 + r.nextInt(55)));
            long c = CudaAllocator.sizeClass(n);
            assertTrue(c >= n && c % 512 == 0, n + " -> " + c);
            assertTrue(n < (1 << 20) ? c - n < 512 : c <= n + n / 4, n + " -> " + c);
            assertEquals(c, CudaAllocator.sizeClass(c), "a class is its own class");
        }
    }

    @Test
    void outOfMemoryMessageUsesGib() {
        assertEquals("1.500 GiB", CudaAllocator.gib(3L << 29));
    }
}
