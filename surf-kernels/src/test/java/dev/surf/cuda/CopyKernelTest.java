package dev.surf.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.testing.Numerics;
import java.util.Arrays;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** convert, copy, permute and concat: pure data movement and rounding, so bit-exact against the CPU. */
@Tag("gpu")
class CopyKernelTest extends CudaTestBase {
    private static final DType[] ALL = DType.values();

    @Test
    void convertEveryPair() {
        for (int n : new int[] {1, 7, 8, 1024, 100_003}) {
            float[] x = Numerics.uniform(rnd, n, 300);
            if (n > 3) {
                x[0] = Float.NaN;
                x[1] = Float.POSITIVE_INFINITY;
                x[2] = 1.0f + 0x1.0p-8f;  // a bf16 tie
                x[3] = -0.0f;
            }
            for (DType from : ALL) {
                for (DType to : ALL) {
                    if (!from.isFloating() && n > 3) {
                        x[0] = 12;
                        x[1] = -7;
                    }
                    try (Both t = both(x, from, n); Tensor g = gpu.convert(t.g(), to); Tensor c = cpu.convert(t.c(), to)) {
                        assertEquals(to, g.dtype());
                        assertSameBits("convert " + from + " -> " + to + " n=" + n, g, c);
                    }
                }
            }
        }
    }

    @Test
    void narrowingAnOutOfRangeLongThrows() {
        try (Tensor big = gpu.fromBytes(DType.I64, Shape.of(2), java.lang.foreign.MemorySegment.ofArray(new long[] {1, 1L << 40}))) {
            assertThrows(ArithmeticException.class, () -> gpu.convert(big, DType.I32));
        }
    }

    @Test
    void embeddingGathersRows() {
        for (DType dt : new DType[] {DType.BF16, DType.F32}) {
            try (Both table = random(dt, 1.0, 301, 67)) {
                int[] ids = {0, 300, 5, 5, 299, 1, 150};
                try (Tensor g = gpu.embedding(table.g(), ids); Tensor c = cpu.embedding(table.c(), ids)) {
                    assertSameBits("embedding " + dt, g, c);
                }
                assertThrows(IllegalArgumentException.class, () -> gpu.embedding(table.g(), new int[] {301}));
            }
        }
        // many rows in one launch (T5's relative bias: 512 x 512 bucket ids into a [32, heads] table),
        // rows of 16-byte and 2-byte units, and an id array the caller changes between calls (the
        // backend caches uploaded ids by content, so a stale hit would show here)
        for (int[] dims : new int[][] {{32, 64}, {37, 3}}) {
            for (DType dt : new DType[] {DType.BF16, DType.F32}) {
                try (Both table = random(dt, 1.0, dims[0], dims[1])) {
                    int[] ids = new int[70_001];
                    for (int i = 0; i < ids.length; i++) {
                        ids[i] = rnd.nextInt(dims[0]);
                    }
                    for (int round = 0; round < 3; round++) {
                        try (Tensor g = gpu.embedding(table.g(), ids); Tensor c = cpu.embedding(table.c(), ids)) {
                            assertSameBits("embedding " + dt + " " + Arrays.toString(dims) + " round " + round, g, c);
                        }
                        if (round == 1) {
                            ids[ids.length / 2] = (ids[ids.length / 2] + 1) % dims[0];
                        }
                    }
                }
            }
        }
    }

    @Test
    void copyBetweenShapes() {
        try (Both a = random(DType.BF16, 1, 6, 5); Tensor g = gpu.empty(DType.BF16, Shape.of(30)); Tensor c = cpu.zeros(DType.BF16, Shape.of(30))) {
            gpu.copy(a.g(), g);
            cpu.copy(a.c(), c);
            assertSameBits("copy", g, c);
            try (Tensor wrong = gpu.empty(DType.F32, Shape.of(30))) {
                assertThrows(IllegalArgumentException.class, () -> gpu.copy(a.g(), wrong));
            }
        }
    }

    @Test
    void permuteRanksZeroToEight() {
        for (int r = 0; r <= 8; r++) {
            int[] dims = new int[r];
            for (int i = 0; i < r; i++) {
                dims[i] = 1 + rnd.nextInt(r > 5 ? 3 : 6);
            }
            int[] axes = new int[r];
            for (int i = 0; i < r; i++) {
                axes[i] = i;
            }
            for (int i = r - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                int t = axes[i];
                axes[i] = axes[j];
                axes[j] = t;
            }
            for (DType dt : new DType[] {DType.F32, DType.BF16, DType.I64}) {
                try (Both x = random(dt, 100, dims); Tensor g = gpu.permute(x.g(), axes); Tensor c = cpu.permute(x.c(), axes)) {
                    assertEquals(c.shape(), g.shape());
                    assertSameBits("permute " + dt + " " + Shape.of(dims) + " by " + java.util.Arrays.toString(axes), g, c);
                }
            }
        }
        try (Both x = random(DType.F32, 1, 2, 3)) {
            assertThrows(IllegalArgumentException.class, () -> gpu.permute(x.g(), 0, 0));
        }
        // permutations that are (batched) transposes take the tiled kernel: ragged tile edges, unit
        // axes, merged runs, both element sizes it takes and one it leaves to the generic kernel
        int[][][] cases = {
            {{4099, 64}, {1, 0}}, {{3, 100, 70}, {0, 2, 1}}, {{2, 3, 4, 5}, {0, 3, 1, 2}}, {{37, 1, 45}, {2, 1, 0}},
            {{33, 31}, {1, 0}}, {{1, 1}, {1, 0}}, {{5, 2, 3}, {2, 0, 1}}};
        for (int[][] c : cases) {
            for (DType dt : new DType[] {DType.F32, DType.BF16, DType.I64}) {
                try (Both x = random(dt, 100, c[0]); Tensor g = gpu.permute(x.g(), c[1]); Tensor cc = cpu.permute(x.c(), c[1])) {
                    assertEquals(cc.shape(), g.shape());
                    assertSameBits("transpose " + dt + " " + Shape.of(c[0]) + " by " + Arrays.toString(c[1]), g, cc);
                }
            }
        }
    }

    @Test
    void concatAlongEachAxis() {
        for (DType dt : new DType[] {DType.F32, DType.BF16}) {
            for (int axis = -3; axis < 3; axis++) {
                int ax = axis < 0 ? axis + 3 : axis;
                int[] d1 = {2, 3, 5};
                int[] d2 = {2, 3, 5};
                int[] d3 = {2, 3, 5};
                d2[ax] = 7;
                d3[ax] = 1;
                try (Both a = random(dt, 1, d1); Both b = random(dt, 1, d2); Both c3 = random(dt, 1, d3);
                     Tensor g = gpu.concat(axis, a.g(), b.g(), c3.g()); Tensor c = cpu.concat(axis, a.c(), b.c(), c3.c())) {
                    assertEquals(c.shape(), g.shape());
                    assertSameBits("concat " + dt + " axis " + axis, g, c);
                }
            }
        }
        // 16-byte units: rows of 8 bf16
        try (Both a = random(DType.BF16, 1, 4, 8); Both b = random(DType.BF16, 1, 4, 16);
             Tensor g = gpu.concat(1, a.g(), b.g()); Tensor c = cpu.concat(1, a.c(), b.c())) {
            assertSameBits("concat wide", g, c);
        }
    }
}
