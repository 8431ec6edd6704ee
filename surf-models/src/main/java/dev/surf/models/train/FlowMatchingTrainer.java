package dev.surf.models.train;

import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.Tensor;
import dev.surf.core.optim.AdamW;
import dev.surf.core.optim.DataOrder;
import dev.surf.core.optim.Ema;
import dev.surf.core.optim.GradAccumulator;
import dev.surf.core.optim.GradClip;
import dev.surf.core.optim.LrSchedule;
import dev.surf.core.optim.Parameter;
import dev.surf.core.optim.ParameterSet;
import dev.surf.core.optim.TrainCheckpoint;
import dev.surf.core.optim.TrainProgress;
import dev.surf.models.wan.WanModel;
import dev.surf.models.wan.WanTrainForward;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Trains a Wan DiT with the flow-matching objective its sampler assumes (the flow convention of
 * {@code dev.surf.models.sched}: the model predicts eps - x0): for a clean
 * latent x0 and a noise draw eps, x_s = (1 - s) x0 + s eps is fed at timestep 1000 s and the model
 * learns the velocity v = eps - x0 by mean squared error.
 *
 * <p>One {@link #step()} is one optimizer step over {@code accumulate} examples taken in a seeded
 * order ({@link DataOrder}): each example's gradients (F32) are averaged ({@link GradAccumulator}),
 * clipped to a global norm ({@link GradClip}), applied by {@link AdamW} at the learning rate of the
 * {@link LrSchedule}, and averaged into an {@link Ema} when one is kept. The trainer holds F32 master
 * copies of the trainable weights and copies them into the model after every step, so the model is
 * always the current state (on CUDA the model's copies may be BF16: the masters stay F32).
 *
 * <p>Everything random is a Philox stream addressed by the example counter u (step times
 * accumulate plus the micro-batch): eps is {@code fillNormal(noiseSeed, 2u)} and s is drawn by the
 * config's {@link TimestepDistribution} (by default the logistic of the standard normal
 * {@code PhiloxNormal.sample(noiseSeed, 2u + 1, 0)}: logit-normal timesteps, as in SD3), so a run is a
 * function of its seeds and resuming a checkpoint continues it bit for bit. An example with a source
 * latent (TrainingData.Example#source) replaces eps: the flow-mapping objective of the SURF Refiner.
 * Frozen parameters (the predicate says false) get no gradient and no optimizer state.
 */
public final class FlowMatchingTrainer implements AutoCloseable {
    /**
     * How to train.
     *
     * @param adam       AdamW hyper-parameters (its lr is the schedule's peak when {@code schedule} is null)
     * @param schedule   learning rate per step, or null for the constant {@code adam.lr()}
     * @param clipNorm   global gradient norm bound, or 0 for none
     * @param emaDecay   EMA decay in (0, 1), or 0 for no EMA
     * @param accumulate examples per optimizer step (at least 1)
     * @param dataSeed   seed of the example order
     * @param noiseSeed  seed of the noise and timestep draws
     * @param timesteps  how s is drawn (null = {@link TimestepDistribution#LOGIT_NORMAL})
     * @param checkpointBlocks activation checkpointing per block ({@link WanTrainForward}): the
     *                   memory of a pass stops growing with the blocks, each block runs forward twice
     */
    public record Config(AdamW.Config adam, LrSchedule schedule, double clipNorm, double emaDecay, int accumulate,
                         long dataSeed, long noiseSeed, TimestepDistribution timesteps, boolean checkpointBlocks) {
        /** Without activation checkpointing. */
        public Config(AdamW.Config adam, LrSchedule schedule, double clipNorm, double emaDecay, int accumulate,
                      long dataSeed, long noiseSeed, TimestepDistribution timesteps) {
            this(adam, schedule, clipNorm, emaDecay, accumulate, dataSeed, noiseSeed, timesteps, false);
        }

        /** With logit-normal timesteps. */
        public Config(AdamW.Config adam, LrSchedule schedule, double clipNorm, double emaDecay, int accumulate,
                      long dataSeed, long noiseSeed) {
            this(adam, schedule, clipNorm, emaDecay, accumulate, dataSeed, noiseSeed, null, false);
        }

        /** The same with activation checkpointing per block on or off. */
        public Config withCheckpointBlocks(boolean on) {
            return new Config(adam, schedule, clipNorm, emaDecay, accumulate, dataSeed, noiseSeed, timesteps, on);
        }

        public Config {
            if (timesteps == null) {
                timesteps = TimestepDistribution.LOGIT_NORMAL;
            }
            if (adam == null) {
                throw new IllegalArgumentException("trainer: AdamW config is required");
            }
            if (accumulate < 1) {
                throw new IllegalArgumentException("trainer: accumulate must be >= 1, got " + accumulate);
            }
            if (!(clipNorm >= 0) || Double.isInfinite(clipNorm)) {
                throw new IllegalArgumentException("trainer: clipNorm must be >= 0 and finite (0 = off), got " + clipNorm);
            }
            if (!(emaDecay >= 0 && emaDecay < 1)) {
                throw new IllegalArgumentException("trainer: emaDecay must be in [0, 1) (0 = no EMA), got " + emaDecay);
            }
            if (schedule == null) {
                schedule = LrSchedule.constant(adam.lr(), 0);
            }
        }
    }

    private final WanModel model;
    private final Backend be;
    private final WanTrainForward forward;
    private final Config config;
    private final TrainingData data;
    private final ParameterSet params = new ParameterSet();
    private final AdamW adam;
    private final Ema ema;
    private final GradAccumulator accumulator;
    private DataOrder order;
    private long step;
    private double lastGradNorm = Double.NaN;

    /**
     * A trainer of {@code model} (whose trainable weights must be F32 tensors it owns, e.g. random
     * weights or a checkpoint converted to F32) on {@code data}.
     */
    public FlowMatchingTrainer(WanModel model, Predicate<String> trainable, Config config, TrainingData data) {
        if (data.size() < 1) {
            throw new IllegalArgumentException("trainer: the data holds no examples");
        }
        this.model = model;
        this.be = model.backend();
        this.forward = new WanTrainForward(model, trainable, config.checkpointBlocks());
        this.config = config;
        this.data = data;
        for (Map.Entry<String, Tensor> e : model.parameters().entrySet()) {
            if (trainable.test(e.getKey())) {
                Tensor w = e.getValue();
                Tensor master = be.convert(w, DType.F32);
                params.add(Parameter.trainable(e.getKey(), master));
            }
        }
        this.adam = new AdamW(config.adam(), params);
        this.ema = config.emaDecay() > 0 ? new Ema(params, config.emaDecay()) : null;
        this.accumulator = new GradAccumulator(params);
        this.order = new DataOrder(config.dataSeed(), data.size());
    }

    /** One optimizer step; returns the mean loss of its examples (before the update). */
    public double step() {
        double loss = 0;
        for (int j = 0; j < config.accumulate(); j++) {
            long u = step * config.accumulate() + j;
            try (TrainingData.Example ex = data.get(order.next(), be)) {
                loss += example(ex, u);
            }
            accumulator.add(1);
        }
        accumulator.finish();
        lastGradNorm = GradClip.globalNorm(params, config.clipNorm() > 0 ? config.clipNorm() : Double.POSITIVE_INFINITY);
        step++;
        adam.step(config.schedule().at(step));
        if (ema != null) {
            ema.update();
        }
        for (Parameter p : params.trainable()) {
            be.copy(p.master(), model.parameters().get(p.name()));
        }
        return loss / config.accumulate();
    }

    /**
     * The gradients of one example into the parameters' gradient tensors; returns its loss. The start
     * of the flow (eps) is the example's source latent when it has one (flow mapping), else noise.
     */
    private double example(TrainingData.Example ex, long u) {
        float s = (float) config.timesteps().sample(config.noiseSeed(), u);
        try (Tensor eps = ex.source() != null ? be.convert(ex.source(), DType.F32) : be.empty(DType.F32, ex.latent().shape());
             Tensor x0 = be.convert(ex.latent(), DType.F32)) {
            if (ex.source() == null) {
                be.fillNormal(eps, config.noiseSeed(), 2 * u);
            }
            try (Tensor xs = be.combine(new float[] {1 - s, s}, x0, eps);
                 Tensor v = be.combine(new float[] {1, -1}, eps, x0);
                 WanTrainForward.Gradients g = forward.mseGradients(xs, 1000f * s, ex.context(), v)) {
                for (Parameter p : params.trainable()) {
                    be.copy(g.parameters().get(p.name()), p.grad());
                }
                return g.loss();
            }
        }
    }

    /** Optimizer steps done. */
    public long stepCount() {
        return step;
    }

    /** The global gradient norm of the last step, before clipping (NaN before the first step). */
    public double lastGradNorm() {
        return lastGradNorm;
    }

    /** The trainable parameters (F32 masters) by official name. */
    public ParameterSet parameters() {
        return params;
    }

    /** The optimizer (its moments are part of a checkpoint). */
    public AdamW optimizer() {
        return adam;
    }

    /** Writes weights, moments, EMA, step, data position and RNG position; atomic (TrainCheckpoint). */
    public void save(Path file) throws IOException {
        TrainCheckpoint.save(file, params, adam, ema,
                TrainProgress.of(step, order, config.noiseSeed(), step * config.accumulate(), config.schedule()));
    }

    /**
     * Continues the run saved in {@code file}: the masters, moments, EMA, step and data position are
     * restored and the model receives the saved weights.
     *
     * @throws IOException if the file is not a checkpoint of these parameters or of this run's seeds
     */
    public void resume(Path file) throws IOException {
        TrainProgress p = TrainCheckpoint.load(file, params, adam, ema);
        if (p.rngSeed() != config.noiseSeed() || p.dataSeed() != config.dataSeed() || p.dataSize() != data.size()) {
            throw new IOException(file + ": the checkpoint is of a run with noise seed " + p.rngSeed() + ", data seed "
                    + p.dataSeed() + " over " + p.dataSize() + " examples, this one has noise seed " + config.noiseSeed()
                    + ", data seed " + config.dataSeed() + " over " + data.size() + " examples: resume with the seeds"
                    + " and the data of that run");
        }
        step = p.step();
        order = p.dataOrder();
        for (Parameter q : params.trainable()) {
            be.copy(q.master(), model.parameters().get(q.name()));
        }
    }

    /** Closes the trainer's state (not the model). */
    @Override
    public void close() {
        accumulator.close();
        if (ema != null) {
            ema.close();
        }
        adam.close();
        params.close();
    }
}
