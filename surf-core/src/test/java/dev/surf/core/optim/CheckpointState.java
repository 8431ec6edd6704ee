package dev.surf.core.optim;

import dev.surf.core.Backend;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A small training state for checkpoint tests: two trainable parameters ("blocks.0.w" [4, 3] and
 * "head.b" [5]) and a frozen one, AdamW with random moments after {@code step} steps, an EMA with
 * random averages and a progress record, all drawn from a seed so two states can be told apart.
 * {@code lastMaster} optionally replaces the master of "head.b" (the last tensor in key order
 * among the masters) by a wrapper, e.g. from {@link FaultyBackend}.
 */
final class CheckpointState implements AutoCloseable {
    final ParameterSet params = new ParameterSet();
    final AdamW adam;
    final Ema ema;
    final TrainProgress progress;
    private final Tensor wrapped;

    CheckpointState(Backend be, long seed, java.util.function.UnaryOperator<Tensor> headWrapper) {
        SplittableRandom rnd = new SplittableRandom(seed);
        params.add(Parameter.trainable("blocks.0.w", be.fromFloats(random(rnd, 12), Shape.of(4, 3))));
        Tensor head = be.fromFloats(random(rnd, 5), Shape.of(5));
        wrapped = headWrapper == null ? null : head;
        params.add(Parameter.trainable("head.b", headWrapper == null ? head : headWrapper.apply(head)));
        params.add(Parameter.frozen("embed", be.fromFloats(random(rnd, 6), Shape.of(2, 3))));
        adam = new AdamW(new AdamW.Config(1e-3, 0.9, 0.99, 1e-8, 0.05), params);
        ema = new Ema(params, 0.999);
        for (Parameter p : params.trainable()) {
            int n = (int) p.shape().numel();
            HostArrays.store(random(rnd, n), adam.firstMoment(p.name()));
            HostArrays.store(random(rnd, n), adam.secondMoment(p.name()));
            HostArrays.store(random(rnd, n), ema.shadow(p.name()));
        }
        long step = 1 + rnd.nextInt(1000);
        adam.restoreStepCount(step);
        progress = new TrainProgress(step, rnd.nextLong(), 50, new DataOrder.Position(rnd.nextInt(9), rnd.nextInt(50)),
                rnd.nextLong(), rnd.nextLong(1L << 40), LrSchedule.cosine(1e-3 * rnd.nextDouble(), 10, 5000, 1e-7));
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rnd.nextGaussian();
        }
        return a;
    }

    void save(Path file) throws IOException {
        TrainCheckpoint.save(file, params, adam, ema, progress);
    }

    /** The progress record, closing the state (for comparisons with a loaded one). */
    TrainProgress progressAndClose() {
        close();
        return progress;
    }

    @Override
    public void close() {
        ema.close();
        adam.close();
        params.close();
        if (wrapped != null) {
            wrapped.close();
        }
    }
}
