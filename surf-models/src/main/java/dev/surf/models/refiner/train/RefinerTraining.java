package dev.surf.models.refiner.train;

import dev.surf.core.Tensor;
import dev.surf.core.optim.AdamW;
import dev.surf.core.safetensors.SafetensorsWriter;
import dev.surf.models.train.FlowMatchingTrainer;
import dev.surf.models.train.TimestepDistribution;
import dev.surf.models.vae.WanVaeDecoder;
import dev.surf.models.wan.WanModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Refiner training run (SURF §3.3) into an output folder: {@link FlowMatchingTrainer} on
 * {@link RefinerData} (flow mapping from z_lr to z_hr, flow times from the shifted-uniform
 * distribution, the model's own time-windowed attention), the clip length following the
 * {@link FrameStages}, a validation on held-out clips every {@code validateEvery} steps and at the
 * end, and in the folder:
 * <ul>
 * <li>{@code checkpoint.safetensors}: the full training state (TrainCheckpoint), every
 *     {@code checkpointEvery} steps and at the end; {@link #run} with {@code resume} continues it
 *     bit for bit;</li>
 * <li>{@code loss.csv} ({@link LossLog}) and {@code loss.png} ({@link LossChart}), with each checkpoint;</li>
 * <li>{@code refiner.safetensors}: the trained weights under the official Wan DiT names, F32, at the
 *     end (what {@code generate --refiner PATH} loads).</li>
 * </ul>
 */
public final class RefinerTraining {
    /** File names inside the output folder. */
    public static final String CHECKPOINT = "checkpoint.safetensors";
    public static final String WEIGHTS = "refiner.safetensors";
    public static final String CSV = "loss.csv";
    public static final String CHART = "loss.png";

    /**
     * How to train.
     *
     * @param steps           optimizer steps in total (a resumed run continues up to it)
     * @param lr              AdamW learning rate (the paper: 5e-5)
     * @param stages          the progressive clip lengths
     * @param validateEvery   steps between validations (0 = only at the end)
     * @param checkpointEvery steps between checkpoints (0 = only at the end)
     * @param seed            seed of the data order (seed) and of the flow times (seed + 1)
     * @param shift           timestep shift of the training flow times and of the validation refine
     * @param refineSteps     Euler steps of the validation refine
     * @param recomputeBlocks activation checkpointing per block (less memory, each block runs forward twice)
     */
    public record Options(int steps, double lr, FrameStages stages, int validateEvery, int checkpointEvery, long seed,
                          double shift, int refineSteps, boolean recomputeBlocks) {
        /** Without activation checkpointing. */
        public Options(int steps, double lr, FrameStages stages, int validateEvery, int checkpointEvery, long seed,
                       double shift, int refineSteps) {
            this(steps, lr, stages, validateEvery, checkpointEvery, seed, shift, refineSteps, false);
        }

        public Options {
            if (steps < 1) {
                throw new IllegalArgumentException("--steps must be >= 1, got " + steps);
            }
            if (!(lr > 0) || Double.isInfinite(lr)) {
                throw new IllegalArgumentException("--lr must be positive, got " + lr);
            }
            if (validateEvery < 0 || checkpointEvery < 0) {
                throw new IllegalArgumentException("--validate-every and --checkpoint-every must be >= 0");
            }
            if (refineSteps < 1) {
                throw new IllegalArgumentException("refine steps must be >= 1, got " + refineSteps);
            }
        }

        /** The trainer's configuration: AdamW (torch defaults but lr, weight decay 0.01), clipping at 1, one clip per step. */
        FlowMatchingTrainer.Config trainer() {
            return new FlowMatchingTrainer.Config(new AdamW.Config(lr, 0.9, 0.999, 1e-8, 0.01), null, 1.0, 0, 1, seed, seed + 1,
                    TimestepDistribution.shiftedUniform(shift)).withCheckpointBlocks(recomputeBlocks);
        }
    }

    /** What the loop reports after each step. */
    public record Step(long step, long steps, double loss, int frames, double secondsPerStep, RefinerValidation.Scores validation) {
    }

    /** Receives the step reports (the CLI prints them). */
    public interface Listener {
        void onStep(Step step);
    }

    private RefinerTraining() {
    }

    /**
     * Trains {@code model} (its weights trainable F32 tensors: random, or through TrainableWeights) into
     * {@code out} (an existing folder).
     *
     * @param validation held-out clips (null: no validation)
     * @param decoder    the VAE decoder for pixel scores (null: latent scores only)
     * @param resume     continue from {@code out/checkpoint.safetensors} and its loss.csv
     * @return the last validation (null without validation clips)
     */
    public static RefinerValidation.Scores run(WanModel model, RefinerData train, RefinerData validation, WanVaeDecoder decoder,
                                               Options options, Path out, boolean resume, Listener listener) throws IOException {
        if (options.stages().maxFrames() > train.clip(0).frames()) {
            throw new IllegalArgumentException("--frames " + options.stages() + ": the clips have " + train.clip(0).frames() + " frames");
        }
        RefinerValidation.Scores last = null;
        try (FlowMatchingTrainer trainer = new FlowMatchingTrainer(model, name -> true, options.trainer(), train)) {
            LossLog log = new LossLog();
            if (resume) {
                trainer.resume(out.resolve(CHECKPOINT));
                log = LossLog.read(out.resolve(CSV), trainer.stepCount());
            }
            while (trainer.stepCount() < options.steps()) {
                long step = trainer.stepCount();
                int frames = options.stages().framesAt(step);
                train.useFrames(frames);
                long t0 = System.nanoTime();
                double loss = trainer.step();
                double seconds = (System.nanoTime() - t0) / 1e9;
                long done = trainer.stepCount();
                boolean end = done == options.steps();
                RefinerValidation.Scores scores = null;
                if (validation != null && (end || (options.validateEvery() > 0 && done % options.validateEvery() == 0))) {
                    validation.useFrames(frames);
                    scores = RefinerValidation.evaluate(model, validation, decoder, options.refineSteps(), options.shift());
                    last = scores;
                }
                log.add(new LossLog.Row(done, loss, frames, scores == null ? null : scores.values()));
                if (end || (options.checkpointEvery() > 0 && done % options.checkpointEvery() == 0)) {
                    trainer.save(out.resolve(CHECKPOINT));
                    log.write(out.resolve(CSV));
                    LossChart.write(out.resolve(CHART), log, "SURF Refiner training");
                }
                if (listener != null) {
                    listener.onStep(new Step(done, options.steps(), loss, frames, seconds, scores));
                }
            }
            if (!Files.exists(out.resolve(CSV))) {
                log.write(out.resolve(CSV));
                LossChart.write(out.resolve(CHART), log, "SURF Refiner training");
            }
        }
        writeWeights(model, out.resolve(WEIGHTS));
        return last;
    }

    /** The model's parameters under their official names (sorted, F32), atomically. */
    public static void writeWeights(WanModel model, Path file) throws IOException {
        Map<String, Tensor> params = new TreeMap<>(model.parameters());
        SafetensorsWriter.write(file, params, Map.of("producer", "surf train-refiner", "format", "wan-official",
                "window_frames", Integer.toString(model.windowFrames())));
    }
}
