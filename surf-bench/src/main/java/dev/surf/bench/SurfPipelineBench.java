package dev.surf.bench;

import dev.surf.models.api.GenerationRequest;
import dev.surf.models.api.GenerationResult;
import dev.surf.models.api.SurfEngine;
import dev.surf.models.api.SurfOptions;
import dev.surf.models.api.TextEmbedding;
import dev.surf.models.api.TinyModels;
import dev.surf.models.pipeline.ProgressListener;
import dev.surf.models.pipeline.VideoSize;
import dev.surf.models.sched.SolverKind;
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
 * A whole generation with the embedded tiny model: the baseline ({@code k = steps}) against SURF
 * previews with k steps at the base size and the rest at half size. Research use: sweep
 * {@code -p k=5,10,20,40}; the gflop metric comes from the FLOP model of each run.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class SurfPipelineBench {
    @Param({"cpu"})
    public String device;

    @Param({"20"})
    public int steps;

    @Param({"5", "20"})
    public int k;

    @Param({"256x256"})
    public String size;

    private SurfEngine engine;
    private GenerationRequest request;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        engine = SurfEngine.builder().device(device).tinyModels().noRefiner().build();
        TextEmbedding ctx = TextEmbedding.standIn("benchmark", TinyModels.BASE.textDim(), 8);
        request = new GenerationRequest(ctx, null, VideoSize.parse(size, 17), 1, steps, 5.0, 1.0, SolverKind.UNIPC,
                k < steps ? new SurfOptions(k, 0.5, null, null) : null, null);
    }

    @Benchmark
    public GenerationResult generate(FlopCounter counter) {
        GenerationResult r = engine.generate(request, ProgressListener.NONE, () -> false);
        counter.add(r.flops().total());
        return r;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        engine.close();
    }
}
