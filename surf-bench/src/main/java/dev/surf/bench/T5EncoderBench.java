package dev.surf.bench;

import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.models.t5.T5Encoder;
import dev.surf.models.t5.UmT5Config;
import dev.surf.models.weights.RandomWeights;
import dev.surf.models.weights.WeightSource;
import java.io.IOException;
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
 * umT5-XXL encoding cost on the CPU backend: an encoder of XXL width (dim 4096, 64 heads, FFN 10,240,
 * 32 buckets) with {@code layers} blocks and random BF16 weights, as the official checkpoint stores
 * them, encoding one prompt of {@code tokens} real tokens. The full 24-block model needs 11.4 GB of
 * weights; one block (0.39 GB) measures the per-block time, which the 24 identical blocks multiply
 * (the embedding lookup and the final norm are negligible). A small vocabulary keeps the token table
 * out of the measurement's memory. Run with e.g.
 * {@code java --add-modules jdk.incubator.vector -jar surf-bench/target/benchmarks.jar T5EncoderBench}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx8g"})
@State(Scope.Benchmark)
public class T5EncoderBench {
    /** Real tokens of the prompt (512: the official padded length, the worst case). */
    @Param({"512"})
    public int tokens;

    /** Encoder blocks instantiated (the XXL has 24). */
    @Param({"1"})
    public int layers;

    /** Threads of the backend; 0 means every available processor. */
    @Param({"0"})
    public int threads;

    private CpuBackend be;
    private T5Encoder encoder;
    private int[] ids;
    private double flops;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        be = threads == 0 ? new CpuBackend() : new CpuBackend(threads);
        UmT5Config xxl = UmT5Config.XXL;
        UmT5Config c = new UmT5Config(1024, xxl.dim(), xxl.dimAttn(), xxl.dimFfn(), xxl.numHeads(), layers, xxl.numBuckets(), false);
        encoder = T5Encoder.load(new Bf16Matrices(new RandomWeights(7)), be, c);
        SplittableRandom rnd = new SplittableRandom(1);
        ids = new int[tokens];
        for (int i = 0; i < tokens; i++) {
            ids[i] = 2 + rnd.nextInt(c.vocab() - 2);
        }
        ids[tokens - 1] = 1;
        double l = tokens;
        double d = c.dim();
        // per block: q, k, v, o and the three FFN GEMMs, plus q k^T and p v over l x l pairs
        flops = layers * (2 * l * (4 * d * c.dimAttn() + 3 * d * c.dimFfn()) + 4 * l * l * c.dimAttn());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        encoder.close();
        be.close();
    }

    /** One forward of the prompt through all instantiated blocks. */
    @Benchmark
    public void encode(FlopCounter counter) {
        try (Tensor out = encoder.forward(ids, 1, new int[] {tokens})) {
            counter.add(flops);
        }
    }

    /** Random weights with the matrices in BF16 (the checkpoint's dtype), the rest as RandomWeights gives it. */
    private record Bf16Matrices(WeightSource inner) implements WeightSource {
        @Override
        public boolean has(String name) {
            return inner.has(name);
        }

        @Override
        public Tensor load(Backend backend, String name, Shape expected, DType use) throws IOException {
            return inner.load(backend, name, expected, use == null && expected.rank() == 2 ? DType.BF16 : use);
        }

        @Override
        public String describe() {
            return inner.describe() + ", matrices BF16";
        }

        @Override
        public boolean isRandom() {
            return true;
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
