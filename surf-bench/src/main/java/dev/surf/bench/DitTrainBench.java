package dev.surf.bench;

import dev.surf.core.DType;
import dev.surf.core.Tensor;
import dev.surf.models.wan.WanTrainForward;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Forward against forward + backward of the Wan 2.1 T2V-1.3B DiT at its real width, with the
 * parameters and set-up of {@link DitBench}: {@code forward} (inherited) is the inference forward,
 * {@code forwardBackward} the loss and every gradient (what one training step costs before the optimizer). The target is
 * forwardBackward at most 3.5x inference. The {@code gflop} counter counts the forward's FLOPs (from
 * the FLOP model) for the forward and three times them for forwardBackward (backward = 2x forward).
 * JMH runs DitBench's set-up before this class's.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class DitTrainBench extends DitBench {
    private WanTrainForward train;
    private Tensor target;

    @Setup(Level.Trial)
    public void setupTraining() {
        train = new WanTrainForward(model);
        target = be.empty(DType.F32, x.shape());
        be.fillNormal(target, 3, 0);
    }

    @Benchmark
    public void forwardBackward(FlopCounter counter) {
        try (WanTrainForward.Gradients g = train.mseGradients(x, 500f, ctx, target)) {
            be.synchronize();
        }
        counter.add(3 * flops);
    }

    @TearDown(Level.Trial)
    public void tearDownTraining() {
        target.close();
    }
}
