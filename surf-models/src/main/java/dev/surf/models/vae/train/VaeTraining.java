package dev.surf.models.vae.train;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A VAE training run into a folder: {@link #CHECKPOINT} (weights, AdamW moments, step and data
 * position) and {@link #CSV} / {@link #CHART} every {@code checkpointEvery} steps and at the end, then
 * {@link #WEIGHTS}, the trained Wan-VAE under official names (encoder and decoder, F32).
 */
public final class VaeTraining {
    public static final String CHECKPOINT = "checkpoint.safetensors";
    public static final String WEIGHTS = "vae.safetensors";
    public static final String CSV = "loss.csv";
    public static final String CHART = "loss.png";

    /** Told after every step. */
    @FunctionalInterface
    public interface Listener {
        void onStep(long step, long steps, VaeTrainer.Losses losses);
    }

    private VaeTraining() {
    }

    /**
     * Trains until {@code steps} optimizer steps are done (continuing the checkpoint in {@code out}
     * when resume) and writes the folder's files.
     *
     * @param checkpointEvery steps between checkpoints (0: at the end only)
     */
    public static void run(VaeTrainer trainer, long steps, int checkpointEvery, Path out, boolean resume, Listener listener)
            throws IOException {
        VaeLossLog log = new VaeLossLog();
        if (resume) {
            trainer.resume(out.resolve(CHECKPOINT));
            log = VaeLossLog.read(out.resolve(CSV), trainer.stepCount());
        }
        boolean saved = false;
        while (trainer.stepCount() < steps) {
            VaeTrainer.Losses l = trainer.step();
            long done = trainer.stepCount();
            log.add(done, l);
            saved = done == steps || (checkpointEvery > 0 && done % checkpointEvery == 0);
            if (saved) {
                trainer.save(out.resolve(CHECKPOINT));
                log.write(out.resolve(CSV));
                log.chart(out.resolve(CHART));
            }
            if (listener != null) {
                listener.onStep(done, steps, l);
            }
        }
        if (!saved) {
            // nothing left to train (a resume of a finished run): the files still describe this state
            trainer.save(out.resolve(CHECKPOINT));
            log.write(out.resolve(CSV));
            log.chart(out.resolve(CHART));
        }
        trainer.writeWeights(out.resolve(WEIGHTS));
    }
}
