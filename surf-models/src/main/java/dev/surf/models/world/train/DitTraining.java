package dev.surf.models.world.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.surf.core.Tensor;
import dev.surf.core.io.AtomicOutput;
import dev.surf.core.optim.AdamW;
import dev.surf.core.optim.LrSchedule;
import dev.surf.core.safetensors.SafetensorsWriter;
import dev.surf.models.train.FlowMatchingTrainer;
import dev.surf.models.train.TrainingData;
import dev.surf.models.wan.WanConfig;
import dev.surf.models.wan.WanModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * A base DiT training run into an output folder: {@link FlowMatchingTrainer} (plain flow matching,
 * logit-normal flow times) on the examples of a {@link TrainingData} (the world's
 * {@link dev.surf.models.world.data.WorldLatents}), and in the folder:
 * <ul>
 * <li>{@code checkpoint.safetensors}: the full training state (TrainCheckpoint), every
 *     {@code checkpointEvery} steps and at the end; {@link #run} with {@code resume} continues it bit
 *     for bit;</li>
 * <li>{@code loss.csv} and {@code loss.png} ({@link DitLossLog}), with each checkpoint;</li>
 * <li>{@code dit.safetensors}: the trained weights under the official Wan DiT names, F32, and
 *     {@code config.json} beside it (official keys), so that the DiT loader
 *     ({@link dev.surf.models.wan.WanCheckpoint}) reads the model's text length and head count,
 *     which no weight shape records.</li>
 * </ul>
 */
public final class DitTraining {
    /** File names inside the output folder. */
    public static final String CHECKPOINT = "checkpoint.safetensors";
    public static final String WEIGHTS = "dit.safetensors";
    public static final String CONFIG = "config.json";
    public static final String CSV = "loss.csv";
    public static final String CHART = "loss.png";

    /**
     * How to train.
     *
     * @param steps           optimizer steps in total (a resumed run continues up to it)
     * @param lr              AdamW peak learning rate
     * @param warmup          steps of the linear warm-up to lr (then constant)
     * @param accumulate      examples per optimizer step
     * @param checkpointEvery steps between checkpoints (0 = only at the end)
     * @param seed            seed of the data order (seed) and of the noise and flow times (seed + 1)
     * @param recomputeBlocks activation checkpointing per block (less memory, each block runs forward twice)
     */
    public record Options(int steps, double lr, long warmup, int accumulate, int checkpointEvery, long seed, boolean recomputeBlocks) {
        public Options {
            if (steps < 1) {
                throw new IllegalArgumentException("--steps must be >= 1, got " + steps);
            }
            if (!(lr > 0) || Double.isInfinite(lr)) {
                throw new IllegalArgumentException("--lr must be positive, got " + lr);
            }
            if (warmup < 0) {
                throw new IllegalArgumentException("--warmup must be >= 0, got " + warmup);
            }
            if (accumulate < 1) {
                throw new IllegalArgumentException("--accumulate must be >= 1, got " + accumulate);
            }
            if (checkpointEvery < 0) {
                throw new IllegalArgumentException("--checkpoint-every must be >= 0, got " + checkpointEvery);
            }
        }

        /** The learning rate per step: linear warm-up, then constant. */
        public LrSchedule schedule() {
            return LrSchedule.constant(lr, warmup);
        }

        /** The trainer's configuration: AdamW (torch defaults but lr, weight decay 0.01), clipping at 1, no EMA. */
        FlowMatchingTrainer.Config trainer() {
            return new FlowMatchingTrainer.Config(new AdamW.Config(lr, 0.9, 0.999, 1e-8, 0.01), schedule(), 1.0, 0, accumulate,
                    seed, seed + 1).withCheckpointBlocks(recomputeBlocks);
        }
    }

    /** What the loop reports after each step. */
    public record Step(long step, long steps, double loss, double lr, double gradNorm, double seconds) {
    }

    /** Receives the step reports (the CLI prints them). */
    public interface Listener {
        void onStep(Step step);
    }

    private DitTraining() {
    }

    /**
     * Trains {@code model} (its weights trainable F32 tensors it owns: random, or through
     * TrainableWeights) into {@code out} (an existing folder).
     *
     * @param resume continue from {@code out/checkpoint.safetensors} and its loss.csv
     */
    public static void run(WanModel model, TrainingData data, Options options, Path out, boolean resume, Listener listener)
            throws IOException {
        try (FlowMatchingTrainer trainer = new FlowMatchingTrainer(model, name -> true, options.trainer(), data)) {
            DitLossLog log = new DitLossLog();
            if (resume) {
                trainer.resume(out.resolve(CHECKPOINT));
                log = DitLossLog.read(out.resolve(CSV), trainer.stepCount());
            }
            while (trainer.stepCount() < options.steps()) {
                long t0 = System.nanoTime();
                double loss = trainer.step();
                double seconds = (System.nanoTime() - t0) / 1e9;
                long done = trainer.stepCount();
                double lr = options.schedule().at(done);
                log.add(new DitLossLog.Row(done, loss, lr, trainer.lastGradNorm()));
                if (done == options.steps() || (options.checkpointEvery() > 0 && done % options.checkpointEvery() == 0)) {
                    trainer.save(out.resolve(CHECKPOINT));
                    log.write(out.resolve(CSV));
                    log.chart(out.resolve(CHART), "Wan DiT training (" + model.config().numLayers() + " blocks of width "
                            + model.config().dim() + ")");
                }
                if (listener != null) {
                    listener.onStep(new Step(done, options.steps(), loss, lr, trainer.lastGradNorm(), seconds));
                }
            }
            if (!Files.exists(out.resolve(CSV))) {
                log.write(out.resolve(CSV));
                log.chart(out.resolve(CHART), "Wan DiT training");
            }
        }
        writeWeights(model, out.resolve(WEIGHTS));
        writeConfig(model.config(), out.resolve(CONFIG));
    }

    /** The model's parameters under their official names (sorted, F32), atomically. */
    public static void writeWeights(WanModel model, Path file) throws IOException {
        Map<String, Tensor> params = new TreeMap<>(model.parameters());
        SafetensorsWriter.write(file, params, Map.of("producer", "surf train-dit", "format", "wan-official"));
    }

    /**
     * The configuration as an official Wan config.json (the keys {@link WanConfig#fromJson} reads back
     * to the same record), atomically.
     */
    public static void writeConfig(WanConfig c, Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode n = json.createObjectNode();
        n.put("model_type", "t2v");
        n.putArray("patch_size").add(c.patchT()).add(c.patchH()).add(c.patchW());
        n.put("text_len", c.textLen());
        n.put("in_dim", c.inDim());
        n.put("dim", c.dim());
        n.put("ffn_dim", c.ffnDim());
        n.put("freq_dim", c.freqDim());
        n.put("text_dim", c.textDim());
        n.put("out_dim", c.outDim());
        n.put("num_heads", c.numHeads());
        n.put("num_layers", c.numLayers());
        n.put("qk_norm", c.qkNorm());
        n.put("cross_attn_norm", c.crossAttnNorm());
        n.put("eps", (double) c.eps());
        try (AtomicOutput out = AtomicOutput.file(file)) {
            json.writerWithDefaultPrettyPrinter().writeValue(out.temp().toFile(), n);
            out.commit();
        }
    }
}
