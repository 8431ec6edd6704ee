package dev.surf.bench;

import dev.surf.core.Activation;
import dev.surf.core.AttentionSpec;
import dev.surf.core.Backend;
import dev.surf.core.Backends;
import dev.surf.core.BackendProvider;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.TimeWindow;
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
 * The CUDA kernels at Wan 2.1 1.3B's shapes under JMH (each call synchronised): the q/k/v/o GEMM
 * (L x 1536 x 1536), the FFN up-projection with GELU (L x 1536 x 8960), and global and time-windowed
 * attention (12 heads of 128). GFLOP/s is the secondary metric. Without a CUDA device the setup
 * fails with the reason ("CUDA benchmarks skipped: ...") and JMH moves on to the next benchmark.
 * For side-by-side numbers with PyTorch use surf-bench/peer/run.sh (CUDA events, no JVM in the loop).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class GpuKernelJmhBench {
    /** Tokens: 32760 is Wan 1.3B at 832x480x81 (21 frames of 1560). */
    @Param({"32760"})
    public int tokens;

    private static final int DIM = 1536;
    private static final int FFN = 8960;
    private static final int HEADS = 12;
    private static final int HEAD_DIM = 128;

    private Backend be;
    private Tensor x;
    private Tensor wq;
    private Tensor wf;
    private Tensor q;
    private Tensor k;
    private Tensor v;
    private AttentionSpec global;
    private AttentionSpec windowed;

    @Setup(Level.Trial)
    public void setup() {
        BackendProvider cuda = Backends.providers().stream().filter(p -> p.name().equals("cuda")).findFirst().orElse(null);
        String why = cuda == null ? "the CUDA backend is not on the class path" : cuda.unavailableReason();
        if (why != null) {
            throw new IllegalStateException("CUDA benchmarks skipped: " + why);
        }
        be = Backends.open("cuda");
        x = normal(Shape.of(tokens, DIM), 1);
        wq = normal(Shape.of(DIM, DIM), 2);
        wf = normal(Shape.of(FFN, DIM), 3);
        q = normal(Shape.of(1, tokens, HEADS, HEAD_DIM), 4);
        k = normal(Shape.of(1, tokens, HEADS, HEAD_DIM), 5);
        v = normal(Shape.of(1, tokens, HEADS, HEAD_DIM), 6);
        global = AttentionSpec.standard(HEAD_DIM);
        windowed = global.withWindow(new TimeWindow(21, tokens / 21, 3, 0));
    }

    private Tensor normal(Shape s, long seed) {
        try (Tensor f = be.empty(DType.F32, s)) {
            be.fillNormal(f, seed, 0);
            return be.convert(f, DType.BF16);
        }
    }

    @Benchmark
    public void gemmQkvo(FlopCounter flops) {
        be.linear(x, wq, null, Activation.NONE).close();
        be.synchronize();
        flops.add(2.0 * tokens * DIM * DIM);
    }

    @Benchmark
    public void gemmFfnUpGelu(FlopCounter flops) {
        be.linear(x, wf, null, Activation.GELU_TANH).close();
        be.synchronize();
        flops.add(2.0 * tokens * DIM * FFN);
    }

    @Benchmark
    public void attentionGlobal(FlopCounter flops) {
        be.attention(q, k, v, global).close();
        be.synchronize();
        flops.add(4.0 * HEADS * HEAD_DIM * tokens * (double) tokens);
    }

    @Benchmark
    public void attentionWindow3of21(FlopCounter flops) {
        be.attention(q, k, v, windowed).close();
        be.synchronize();
        flops.add(4.0 * HEADS * HEAD_DIM * tokens * (double) tokens / 7);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (be != null) {
            for (Tensor t : new Tensor[] {x, wq, wf, q, k, v}) {
                t.close();
            }
            be.close();
        }
    }
}
