package dev.surf.models.refiner.train;

/**
 * Turns a high-resolution training clip into the low-resolution clip the Refiner learns to undo
 * (the paper's LR input, SURF §3.3): pixel-level degradations, then a resize to the LR size.
 *
 * <p>Clips are planar float RGB {@code [3, frames, height, width]} in [-1, 1], the layout the VAE
 * encoder takes. An implementation must be a pure function of its seed, the clip index and the
 * pixels: the same arguments give the same bytes, so a training run resumed from a checkpoint
 * draws the same degradations as an uninterrupted one.
 */
public interface ClipDegrader {
    /**
     * Degrades {@code hr} and resizes it to {@code lrHeight x lrWidth}.
     *
     * @param hr        the clip, {@code [3, frames, height, width]}, not modified
     * @param clipIndex which draw of the random parameters to use (the training example counter)
     * @return a new {@code [3, frames, lrHeight, lrWidth]} array in [-1, 1]
     */
    float[] degrade(float[] hr, int frames, int height, int width, int lrHeight, int lrWidth, long clipIndex);
}
