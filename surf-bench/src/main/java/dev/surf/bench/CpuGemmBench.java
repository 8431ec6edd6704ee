package dev.surf.bench;

import dev.surf.core.Activation;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * CPU GEMM throughput: CpuBackend.linear on an n x n x n problem with F32 and BF16 weights, next to
 * the plain scalar i-j-k loop of the same size (the machine's scalar-loop figure), and the
 * time-embedding shape (2 rows against a 1536 -> 8960 BF16 weight). GFLOP/s is the "gflop"
 * secondary metric; run with e.g.
 * {@code java --add-modules jdk.incubator.vector -jar surf-bench/target/benchmarks.jar CpuGemmBench}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class CpuGemmBench {
    /** m = k = n of the square problem. */
    @Param({"1024"})
    public int size;

    /** Threads of the backend; 0 means every available processor. */
    @Param({"0"})
    public int threads;

    private CpuBackend be;
    private Tensor x;
    private Tensor w32;
    private Tensor w16;
    private Tensor xSmall;
    private Tensor wEmbed;
    private float[] a;
    private float[] bt;
    private float[] c;

    @Setup(Level.Trial)
    public void setup() {
        be = threads == 0 ? new CpuBackend() : new CpuBackend(threads);
        SplittableRandom rnd = new SplittableRandom(42);
        a = random(rnd, size * size);
        bt = random(rnd, size * size);
        c = new float[size * size];
        x = be.fromFloats(a, Shape.of(size, size));
        w32 = be.fromFloats(bt, Shape.of(size, size));
        w16 = be.convert(w32, DType.BF16);
        xSmall = be.fromFloats(random(rnd, 2 * 1536), Shape.of(2, 1536));
        try (Tensor w = be.fromFloats(random(rnd, 8960 * 1536), Shape.of(8960, 1536))) {
            wEmbed = be.convert(w, DType.BF16);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        x.close();
        w32.close();
        w16.close();
        xSmall.close();
        wEmbed.close();
        be.close();
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return v;
    }

    private double flops() {
        return 2.0 * size * size * size;
    }

    /** y = x W^T with F32 weights. */
    @Benchmark
    public Tensor linearF32(FlopCounter f) {
        Tensor y = be.linear(x, w32, null, Activation.NONE);
        y.close();
        f.add(flops());
        return y;
    }

    /** y = x W^T with BF16 weights converted panel by panel. */
    @Benchmark
    public Tensor linearBf16(FlopCounter f) {
        Tensor y = be.linear(x, w16, null, Activation.NONE);
        y.close();
        f.add(flops());
        return y;
    }

    /** The timestep-embedding shape: 2 rows, 1536 -> 8960, BF16 weights (memory bound). */
    @Benchmark
    public Tensor linearBf16TwoRows(FlopCounter f) {
        Tensor y = be.linear(xSmall, wEmbed, null, Activation.NONE);
        y.close();
        f.add(2.0 * 2 * 1536 * 8960);
        return y;
    }

    /** The obvious scalar loop: C = A B^T with row-major A and B^T, one thread, F32 accumulation. */
    @Benchmark
    public float[] scalarLoop(FlopCounter f) {
        int n = size;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                float s = 0f;
                for (int p = 0; p < n; p++) {
                    s += a[i * n + p] * bt[j * n + p];
                }
                c[i * n + j] = s;
            }
        }
        f.add(flops());
        return c;
    }
}
