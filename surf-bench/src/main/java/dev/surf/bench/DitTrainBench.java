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
import dev.surf.models.wan.WanTrainForward;
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
 * Forward against forward + backward of the Wan 2.1 T2V-1.3B DiT at its real width (dim 1536, 12
 * heads, FFN 8960, text 4096), random weights, {@code layers} blocks: {@code inference} is the
 * inference forward, {@code forwardBackward} the loss and every gradient (what one training step costs before the optimizer). The target is
 * forwardBackward at most 3.5x inference. The {@code gflop} counter counts the forward's FLOPs (from
 * the FLOP model) for the forward rows and three times them for forwardBackward (backward = 2x forward).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
    "-XX:MaxRAMPercentage=75"})
@State(Scope.Benchmark)
public class DitTrainBench {
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

    private Backend be;
    private WanModel model;
    private WanTrainForward train;
    private Tensor x;
    private Tensor target;
    private Tensor ctx;
    private TextContext text;
    private double flops;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        be = Backends.open(device);
        WanConfig c = WanConfig.T2V_1_3B;
        WanConfig cfg = new WanConfig(c.patchT(), c.patchH(), c.patchW(), c.textLen(), c.inDim(), c.dim(), c.ffnDim(),
                c.freqDim(), c.textDim(), c.outDim(), c.numHeads(), layers, c.qkNorm(), c.crossAttnNorm(), c.eps());
        model = WanModel.load(new RandomWeights(1), be, cfg);
        train = new WanTrainForward(model);
        x = be.empty(DType.F32, Shape.of(c.inDim(), frames, height, width));
        target = be.empty(DType.F32, Shape.of(c.outDim(), frames, height, width));
        be.fillNormal(x, 2, 0);
        be.fillNormal(target, 3, 0);
        ctx = TextEmbedding.standIn("a benchmark prompt of a few words", c.textDim(), 32).upload(be);
        text = model.prepareText(List.of(ctx));
        flops = FlopModel.forward(cfg, frames, height, width, 0).total();
    }

    @Benchmark
    public void inference(FlopCounter counter) {
        try (Tensor v = model.forward(x, new float[] {500f}, text)) {
            be.synchronize();
        }
        counter.add(flops);
    }

    @Benchmark
    public void forwardBackward(FlopCounter counter) {
        try (WanTrainForward.Gradients g = train.mseGradients(x, 500f, ctx, target)) {
            be.synchronize();
        }
        counter.add(3 * flops);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        text.close();
        ctx.close();
        target.close();
        x.close();
        model.close();
        be.close();
    }
}
