package dev.surf.bench;

import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.models.vae.VaeTiling;
import dev.surf.models.vae.TiledVae;
import dev.surf.models.vae.WanVaeConfig;
import dev.surf.models.vae.WanVaeEncoder;
import dev.surf.models.weights.RandomWeights;
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
 * Wan-VAE encoding on the CPU backend with the tiny layout of the conformance fixture
 * (wan-vae-enc-tiny: dim 8, z_dim 16, dim_mult [1, 2, 4, 4], 2 residual blocks per level) and random
 * weights: a video of {@code frames} frames of {@code size} x {@code size} pixels to normalised mu,
 * streamed in chunks of 1 then 4 frames, whole or in tiles. Run with e.g.
 * {@code java --add-modules jdk.incubator.vector -jar surf-bench/target/benchmarks.jar VaeEncoderBench}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx4g"})
@State(Scope.Benchmark)
public class VaeEncoderBench {
    /** Video frames, 1 + 4k. */
    @Param({"17"})
    public int frames;

    /** Frame side in pixels (a multiple of 8). */
    @Param({"128"})
    public int size;

    /** Threads of the backend; 0 means every available processor. */
    @Param({"0"})
    public int threads;

    private CpuBackend be;
    private WanVaeEncoder encoder;
    private Tensor video;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        be = threads == 0 ? new CpuBackend() : new CpuBackend(threads);
        WanVaeConfig tiny = new WanVaeConfig(8, 16, new int[] {1, 2, 4, 4}, 2, new boolean[] {false, true, true});
        encoder = WanVaeEncoder.load(new RandomWeights(19), be, tiny);
        SplittableRandom rnd = new SplittableRandom(1);
        float[] v = new float[3 * frames * size * size];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (2 * rnd.nextDouble() - 1);
        }
        video = be.fromFloats(v, Shape.of(3, frames, size, size));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        video.close();
        encoder.close();
        be.close();
    }

    /** The whole frame at once, chunk by chunk. */
    @Benchmark
    public float encode() {
        try (Tensor mu = encoder.encode(video)) {
            return be.toFloats(mu)[0];
        }
    }

    /** In tiles of 8 latent pixels (64 video pixels) overlapping by 2: the cost of tiling at this size. */
    @Benchmark
    public float encodeTiled() {
        try (Tensor mu = TiledVae.encode(encoder, video, new VaeTiling(8, 2))) {
            return be.toFloats(mu)[0];
        }
    }
}
