package dev.surf.bench;

import dev.surf.core.AttentionSpec;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.TimeWindow;
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
 * CPU flash attention, global versus time-windowed, on a Refiner-like slice: B = 1, H = 2, head dim
 * 128, 8 latent frames of 256 tokens, windows of 2 frames (plain and shifted by 1 frame). The
 * "gflop" secondary metric counts 4 d FLOPs per attended (query, key) pair, so a windowed run
 * reports the work it actually does; compare the primary ops/s for the wall-clock speed-up.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class CpuAttentionBench {
    @Param({"8"})
    public int frames;

    @Param({"256"})
    public int tokensPerFrame;

    @Param({"2"})
    public int windowFrames;

    /** Threads of the backend; 0 means every available processor. */
    @Param({"0"})
    public int threads;

    private static final int HEADS = 2;
    private static final int HEAD_DIM = 128;

    private CpuBackend be;
    private Tensor q;
    private Tensor k;
    private Tensor v;
    private AttentionSpec global;
    private AttentionSpec windowed;
    private AttentionSpec shifted;
    private double globalFlops;
    private double windowedFlops;
    private double shiftedFlops;

    @Setup(Level.Trial)
    public void setup() {
        be = threads == 0 ? new CpuBackend() : new CpuBackend(threads);
        int len = frames * tokensPerFrame;
        SplittableRandom rnd = new SplittableRandom(7);
        Shape shape = Shape.of(1, len, HEADS, HEAD_DIM);
        q = be.fromFloats(random(rnd, len * HEADS * HEAD_DIM), shape);
        k = be.fromFloats(random(rnd, len * HEADS * HEAD_DIM), shape);
        v = be.fromFloats(random(rnd, len * HEADS * HEAD_DIM), shape);
        global = AttentionSpec.standard(HEAD_DIM);
        TimeWindow plain = new TimeWindow(frames, tokensPerFrame, windowFrames, 0);
        TimeWindow shift = new TimeWindow(frames, tokensPerFrame, windowFrames, windowFrames / 2);
        windowed = global.withWindow(plain);
        shifted = global.withWindow(shift);
        globalFlops = 4.0 * HEADS * HEAD_DIM * len * (double) len;
        windowedFlops = 4.0 * HEADS * HEAD_DIM * attendedPairs(plain);
        shiftedFlops = 4.0 * HEADS * HEAD_DIM * attendedPairs(shift);
    }

    /** Number of (query, key) pairs the window lets through. */
    private static double attendedPairs(TimeWindow w) {
        double pairs = 0;
        for (int f = 0; f < w.frames(); f++) {
            pairs += (double) w.tokensPerFrame() * w.tokensPerFrame() * (w.keyFrameEnd(f) - w.keyFrameStart(f));
        }
        return pairs;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        q.close();
        k.close();
        v.close();
        be.close();
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return a;
    }

    @Benchmark
    public Tensor full(FlopCounter f) {
        Tensor o = be.attention(q, k, v, global);
        o.close();
        f.add(globalFlops);
        return o;
    }

    @Benchmark
    public Tensor windowed(FlopCounter f) {
        Tensor o = be.attention(q, k, v, windowed);
        o.close();
        f.add(windowedFlops);
        return o;
    }

    @Benchmark
    public Tensor windowedShifted(FlopCounter f) {
        Tensor o = be.attention(q, k, v, shifted);
        o.close();
        f.add(shiftedFlops);
        return o;
    }
}
