package dev.surf.bench;

import dev.surf.core.DType;
import dev.surf.core.ResizeMode;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The CPU backend's memory-bound ops at DiT sizes: adaLN-modulated LayerNorm and RMSNorm over
 * L = 4096 tokens of width 1536, RoPE on [1, 4096, 12, 128], and the SURF latent downscale
 * (bilinear, [16, 21, 60, 104] to half size). The secondary metric counts bytes moved as "gflop"
 * would count FLOPs: read here as GB/s (reading the input once and writing the output once).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class CpuOpsBench {
    private static final int L = 4096;
    private static final int D = 1536;

    private CpuBackend be;
    private Tensor x;
    private Tensor shift;
    private Tensor scale;
    private Tensor weight;
    private Tensor heads;
    private Tensor cos;
    private Tensor sin;
    private Tensor latent;

    @Setup(Level.Trial)
    public void setup() {
        be = new CpuBackend();
        x = normal(Shape.of(1, L, D), 1);
        shift = normal(Shape.of(1, D), 2);
        scale = normal(Shape.of(1, D), 3);
        weight = normal(Shape.of(D), 4);
        heads = normal(Shape.of(1, L, 12, 128), 5);
        cos = normal(Shape.of(L, 64), 6);
        sin = normal(Shape.of(L, 64), 7);
        latent = normal(Shape.of(16, 21, 60, 104), 8);
    }

    private Tensor normal(Shape s, long seed) {
        Tensor t = be.empty(DType.F32, s);
        be.fillNormal(t, seed, 0);
        return t;
    }

    @Benchmark
    public void layerNormModulate(FlopCounter bytes) {
        be.layerNormModulate(x, shift, scale, 1e-6f, DType.F32).close();
        bytes.add(2.0 * 4 * L * D);
    }

    @Benchmark
    public void rmsNorm(FlopCounter bytes) {
        be.rmsNorm(x, weight, 1e-6f).close();
        bytes.add(2.0 * 4 * L * D);
    }

    @Benchmark
    public void rope(FlopCounter bytes) {
        be.rope(heads, cos, sin).close();
        bytes.add(2.0 * 4 * heads.numel());
    }

    @Benchmark
    public void latentDownscale(FlopCounter bytes) {
        be.resize(latent, 30, 52, ResizeMode.BILINEAR).close();
        bytes.add(4.0 * latent.numel() * 1.25);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (Tensor t : new Tensor[] {x, shift, scale, weight, heads, cos, sin, latent}) {
            t.close();
        }
        be.close();
    }
}
