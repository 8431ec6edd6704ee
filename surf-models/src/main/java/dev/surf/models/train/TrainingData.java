package dev.surf.models.train;

import dev.surf.core.Backend;
import dev.surf.core.Tensor;

/**
 * The examples a DiT trains on: clean latents with their text embeddings, addressed by index so that
 * a seeded {@link dev.surf.core.optim.DataOrder} decides the order and a checkpoint can resume it.
 */
public interface TrainingData {
    /** One example: the clean latent x0 [16, F, H, W] and its prompt embedding [n, text_dim], owned by the caller. */
    record Example(Tensor latent, Tensor context) implements AutoCloseable {
        @Override
        public void close() {
            latent.close();
            context.close();
        }
    }

    /** How many examples there are (at least 1). */
    int size();

    /** Example {@code index} ({@code 0 <= index < size}) as new tensors on {@code be}; the same index gives the same bytes. */
    Example get(int index, Backend be);
}
