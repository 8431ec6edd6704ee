package dev.surf.models.sfv;

import dev.surf.core.optim.AdamW;
import dev.surf.core.optim.Ema;
import dev.surf.core.optim.Parameter;
import dev.surf.models.train.TimestepDistribution;
import dev.surf.models.train.TrainingData;
import dev.surf.models.wan.WanModel;
import dev.surf.models.world.train.DitTraining;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An SF-V run into an output folder: {@link SfvTrainer} for the given steps, and in the folder
 * {@code checkpoint/} (both sides' training state, every {@code checkpointEvery} steps and at the
 * end; a resumed run continues it bit for bit), {@code loss.csv} and {@code loss.png}
 * ({@link SfvLossLog}), and the one-step model: {@code sfv.safetensors} (the generator's EMA
 * weights when an EMA is kept, else its weights, under the official Wan DiT names) with
 * {@code config.json}, which {@code surf generate --model OUT/sfv.safetensors --steps 1} samples.
 */
public final class SfvTraining {
    /** Names inside the output folder. */
    public static final String CHECKPOINT = "checkpoint";
    public static final String WEIGHTS = "sfv.safetensors";
    public static final String CONFIG = "config.json";
    public static final String CSV = "loss.csv";
    public static final String CHART = "loss.png";

    /**
     * How to train.
     *
     * @param steps           steps in total (a resumed run continues up to it)
     * @param lrGenerator     AdamW learning rate of the generator
     * @param lrDiscriminator AdamW learning rate of the discriminator heads
     * @param regression      weight of the teacher regression term
     * @param emaDecay        generator EMA decay (0: none)
     * @param checkpointEvery steps between checkpoints (0: at the end only)
     * @param seed            data order seed (seed), noise seed (seed + 1), head init seed (seed + 2)
     * @param heads           where the discriminator heads sit and how wide they are
     */
    public record Options(int steps, double lrGenerator, double lrDiscriminator, double regression, double emaDecay,
                          int checkpointEvery, long seed, DiscriminatorHeads.Config heads) {
        public Options {
            if (steps < 1) {
                throw new IllegalArgumentException("--steps must be >= 1, got " + steps);
            }
            if (!(lrGenerator > 0) || Double.isInfinite(lrGenerator) || !(lrDiscriminator > 0) || Double.isInfinite(lrDiscriminator)) {
                throw new IllegalArgumentException("learning rates must be positive and finite, got " + lrGenerator + " and "
                        + lrDiscriminator);
            }
            if (checkpointEvery < 0) {
                throw new IllegalArgumentException("--checkpoint-every must be >= 0, got " + checkpointEvery);
            }
        }

        /**
         * The trainer's configuration: AdamW with betas (0, 0.99) for both sides (the usual choice in
         * adversarial training, where momentum chases a moving target), no weight decay, generator
         * gradients clipped at norm 1, the sampler's shift 5, noise levels uniform through that shift.
         */
        SfvTrainer.Config trainer() {
            return new SfvTrainer.Config(new AdamW.Config(lrGenerator, 0.0, 0.99, 1e-8, 0), new AdamW.Config(lrDiscriminator, 0.0,
                    0.99, 1e-8, 0), 1.0, emaDecay, regression, 5.0, TimestepDistribution.shiftedUniform(5.0), seed, seed + 1);
        }
    }

    /** What the loop reports after each step. */
    public interface Listener {
        void onStep(long step, long steps, SfvTrainer.Losses losses, double seconds);
    }

    private SfvTraining() {
    }

    /**
     * Trains {@code generator} (trainable F32 weights it owns, a copy of the teacher) against heads on
     * {@code teacher} into {@code out} (an existing folder).
     */
    public static void run(WanModel generator, WanModel teacher, TrainingData pairs, TrainingData real, Options options, Path out,
                           boolean resume, Listener listener) throws IOException {
        try (DiscriminatorHeads heads = new DiscriminatorHeads(generator.backend(), options.heads(), teacher.config().dim(),
                options.seed() + 2);
             SfvTrainer trainer = new SfvTrainer(generator, teacher, heads, options.trainer(), pairs, real)) {
            SfvLossLog log = new SfvLossLog();
            if (resume) {
                trainer.resume(out.resolve(CHECKPOINT));
                log = SfvLossLog.read(out.resolve(CSV), trainer.stepCount());
            }
            while (trainer.stepCount() < options.steps()) {
                long t0 = System.nanoTime();
                SfvTrainer.Losses losses = trainer.step();
                double seconds = (System.nanoTime() - t0) / 1e9;
                long done = trainer.stepCount();
                log.add(done, losses);
                if (done == options.steps() || (options.checkpointEvery() > 0 && done % options.checkpointEvery() == 0)) {
                    trainer.save(out.resolve(CHECKPOINT));
                    log.write(out.resolve(CSV));
                    log.chart(out.resolve(CHART), "SF-V adversarial post-training");
                }
                if (listener != null) {
                    listener.onStep(done, options.steps(), losses, seconds);
                }
            }
            if (!Files.exists(out.resolve(CSV))) {
                log.write(out.resolve(CSV));
                log.chart(out.resolve(CHART), "SF-V adversarial post-training");
            }
            Ema ema = trainer.ema();
            if (ema != null) {
                for (Parameter p : trainer.generatorParameters().trainable()) {
                    generator.backend().copy(ema.shadow(p.name()), generator.parameters().get(p.name()));
                }
            }
        }
        DitTraining.writeWeights(generator, out.resolve(WEIGHTS));
        DitTraining.writeConfig(generator.config(), out.resolve(CONFIG));
    }
}
