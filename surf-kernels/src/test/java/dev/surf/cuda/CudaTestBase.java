package dev.surf.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.surf.core.Backends;
import dev.surf.core.DType;
import dev.surf.core.Half;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.testing.Numerics;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/**
 * Shared set-up of the GPU tests: a CUDA backend that synchronises and checks after every launch and
 * poisons every allocation with NaN bytes, and the CPU backend as the reference. Without a usable
 * device every test of the class is skipped with the provider's reason.
 *
 * <p>Inputs are random and different on every run (the seed is printed in failure messages and can
 * be fixed with -Dsurf.test.seed=N); the same bits go to both backends.
 */
abstract class CudaTestBase {
    /** Tolerances of the issue: relative L2 error for F32 outputs and for BF16/F16 outputs. */
    static final double F32_TOL = 1e-5;
    static final double HALF_TOL = 1e-2;

    static CudaBackend gpu;
    static CpuBackend cpu;
    static long seed;
    final SplittableRandom rnd = new SplittableRandom(seed ^ getClass().getName().hashCode());

    @BeforeAll
    static void openBackends() {
        String why = new CudaBackendProvider().unavailableReason();
        Assumptions.assumeTrue(why == null, "CUDA tests skipped: " + why);
        seed = Long.getLong("surf.test.seed", System.nanoTime());
        gpu = (CudaBackend) Backends.open("cuda");
        gpu.controls().setSyncAfterLaunch(true);
        gpu.controls().setPoisonAllocations(true);
        cpu = new CpuBackend();
    }

    @AfterAll
    static void closeBackends() {
        if (gpu != null) {
            gpu.close();
            gpu = null;
        }
        if (cpu != null) {
            cpu.close();
            cpu = null;
        }
    }

    /** The same tensor on both backends. */
    record Both(Tensor g, Tensor c) implements AutoCloseable {
        @Override
        public void close() {
            g.close();
            c.close();
        }
    }

    /** Little-endian bytes of data in dtype dt (rounded to nearest even for the 16-bit floats). */
    static MemorySegment encode(float[] data, DType dt) {
        MemorySegment s = MemorySegment.ofArray(new byte[data.length * dt.byteSize()]);
        var f32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        var i16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        var i32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        var i64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < data.length; i++) {
            switch (dt) {
                case F32 -> s.set(f32, 4L * i, data[i]);
                case BF16 -> s.set(i16, 2L * i, Half.floatToBf16(data[i]));
                case F16 -> s.set(i16, 2L * i, Half.floatToF16(data[i]));
                case I32 -> s.set(i32, 4L * i, (int) data[i]);
                case I64 -> s.set(i64, 8L * i, (long) data[i]);
            }
        }
        return s;
    }

    static Both both(float[] data, DType dt, int... dims) {
        MemorySegment bytes = encode(data, dt);
        Shape shape = Shape.of(dims);
        return new Both(gpu.fromBytes(dt, shape, bytes), cpu.fromBytes(dt, shape, bytes));
    }

    Both random(DType dt, double scale, int... dims) {
        return both(Numerics.uniform(rnd, (int) Shape.of(dims).numel(), scale), dt, dims);
    }

    static double tolFor(DType dt) {
        return dt == DType.F32 ? F32_TOL : HALF_TOL;
    }

    String tag(String what) {
        return what + " [seed " + seed + "]";
    }

    /** GPU result vs CPU reference within the tolerance of the output dtype. */
    void assertMatches(String what, Tensor g, Tensor c) {
        Numerics.assertClose(tag(what), gpu.toFloats(g), cpu.toFloats(c), tolFor(g.dtype()));
    }

    /** GPU result vs CPU reference, bit for bit (NaN equal to NaN). */
    void assertSameBits(String what, Tensor g, Tensor c) {
        assertArrayEquals(cpu.toFloats(c), gpu.toFloats(g), tag(what));
    }
}
