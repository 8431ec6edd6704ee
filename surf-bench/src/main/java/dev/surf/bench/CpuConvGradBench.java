package dev.surf.bench;

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
 * The CPU conv3d and its two gradients side by side on the tiny Wan-VAE's shapes: a causal 3 x 3 x 3
 * convolution with C channels in and out (padding 2 frames in front, 1 pixel around) on x
 * [C, frames, size, size]. {@code forward} is conv3d, {@code gradInput} conv3dGradInput and
 * {@code gradWeight} conv3dGradWeight of the same convolution; all three do 2 C C 27 To Ho Wo
 * floating-point operations, reported as the "gflop" secondary metric (GFLOP/s). Run with e.g.
 * {@code java --add-modules jdk.incubator.vector -jar surf-bench/target/benchmarks.jar CpuConvGradBench}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx2g"})
@State(Scope.Benchmark)
public class CpuConvGradBench {
    /** Channels in and out, frames, frame side: "C,T,S". */
    @Param({"16,5,64", "32,5,32"})
    public String shape;

    /** Threads of the backend; 0 means every available processor. */
    @Param({"0"})
    public int threads;

    private static final int K = 3;
    private static final int PAD_FRONT = 2;
    private static final int PAD = 1;

    private CpuBackend be;
    private Tensor x;
    private Tensor w;
    private Tensor dy;
    private double flops;

    @Setup(Level.Trial)
    public void setup() {
        String[] p = shape.split(",");
        int c = Integer.parseInt(p[0].trim());
        int t = Integer.parseInt(p[1].trim());
        int s = Integer.parseInt(p[2].trim());
        be = threads == 0 ? new CpuBackend() : new CpuBackend(threads);
        SplittableRandom rnd = new SplittableRandom(7);
        x = be.fromFloats(random(rnd, c * t * s * s), Shape.of(c, t, s, s));
        w = be.fromFloats(random(rnd, c * c * K * K * K), Shape.of(c, c, K, K, K));
        // same padding in H and W and causal in time: the output has x's size
        dy = be.fromFloats(random(rnd, c * t * s * s), Shape.of(c, t, s, s));
        flops = 2.0 * c * c * K * K * K * t * s * s;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        x.close();
        w.close();
        dy.close();
        be.close();
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return v;
    }

    /** y = conv3d(x, w), the peer the gradients are measured against. */
    @Benchmark
    public Tensor forward(FlopCounter f) {
        Tensor y = be.conv3d(x, w, null, PAD_FRONT, PAD, PAD);
        y.close();
        f.add(flops);
        return y;
    }

    /** dx = conv3dGradInput(dy, w). */
    @Benchmark
    public Tensor gradInput(FlopCounter f) {
        Tensor g = be.conv3dGradInput(dy, w, PAD_FRONT, PAD, PAD);
        g.close();
        f.add(flops);
        return g;
    }

    /** dw = conv3dGradWeight(dy, x). */
    @Benchmark
    public Tensor gradWeight(FlopCounter f) {
        Tensor g = be.conv3dGradWeight(dy, x, PAD_FRONT, PAD, PAD);
        g.close();
        f.add(flops);
        return g;
    }
}
