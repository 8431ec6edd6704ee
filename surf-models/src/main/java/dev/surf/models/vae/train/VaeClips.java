package dev.surf.models.vae.train;

import dev.surf.core.Backend;
import dev.surf.core.Tensor;

/**
 * The training videos of a Wan-VAE run: a fixed, indexed set of clips, each [3, T, H, W] F32 in
 * [-1, 1] (channels first, RGB, b / 255 mapped to [-1, 1]: what WanVaeEncoder.encode takes). All clips
 * have at least the trainer's crop size; the trainer cuts its random crops out of them.
 */
public interface VaeClips {
    /** Number of clips (at least 1). */
    int size();

    /** Clip {@code index} (0 .. size-1) on the backend; the caller owns the tensor. The same clip every call. */
    Tensor frames(int index, Backend be);
}
