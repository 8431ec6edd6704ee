package dev.surf.bench;

import dev.surf.core.Backend;
import dev.surf.core.Backends;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.models.api.TextEmbedding;
import dev.surf.models.flops.FlopModel;
import dev.surf.models.wan.TextContext;
import dev.surf.models.wan.WanConfig;
import dev.surf.models.wan.WanModel;
import dev.surf.models.weights.RandomWeights;
import java.util.List;
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
 * The Wan 2.1 T2V-1.3B DiT at its real width (dim 1536, 12 heads of 128, FFN 8960, text 4096) with
 * random weights: {@code layers=1} is one block (plus the small embedding and head work), 30 the full
 * forward. The latent is {@code frames x height x width} (latent units): the CPU default is small; on a
 * GPU use the real 480p latent, e.g. {@code -p device=cuda -p layers=30 -p frames=21 -p height=60 -p width=104}.
 * FLOPs per call come from the engine's FLOP model.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
    "-XX:MaxRAMPercentage=75"})
@State(Scope.Benchmark)
public class DitBench {
    @Param({"cpu"})
    public String device;

    @Param({"1"})
    public int layers;

    @Param({"5"})
    public int frames;

    @Param({"16"})
    public int height;

    @Param({"16"})
    public int width;

    protected Backend be;
    protected WanModel model;
    protected Tensor x;
    protected Tensor ctx;
    protected TextContext text;
    protected double flops;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        be = Backends.open(device);
        WanConfig c = WanConfig.T2V_1_3B;
        WanConfig cfg = new WanConfig(c.patchT(), c.patchH(), c.patchW(), c.textLen(), c.inDim(), c.dim(), c.ffnDim(),
                c.freqDim(), c.textDim(), c.outDim(), c.numHeads(), layers, c.qkNorm(), c.crossAttnNorm(), c.eps());
        model = WanModel.load(new RandomWeights(1), be, cfg);
        x = be.empty(DType.F32, Shape.of(c.inDim(), frames, height, width));
        be.fillNormal(x, 2, 0);
        ctx = TextEmbedding.standIn("a benchmark prompt of a few words", c.textDim(), 32).upload(be);
        text = model.prepareText(List.of(ctx));
        flops = FlopModel.forward(cfg, frames, height, width, 0).total();
    }

    @Benchmark
    public void forward(FlopCounter counter) {
        try (Tensor v = model.forward(x, new float[] {500f}, text)) {
            be.synchronize();
        }
        counter.add(flops);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        text.close();
        ctx.close();
        x.close();
        model.close();
        be.close();
    }
}
