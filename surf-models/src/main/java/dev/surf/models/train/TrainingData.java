package dev.surf.models.train;

import dev.surf.core.Backend;
import dev.surf.core.Tensor;

/**
 * The examples a DiT trains on: clean latents with their text embeddings, addressed by index so that
 * a seeded {@link dev.surf.core.optim.DataOrder} decides the order and a checkpoint can resume it.
 */
public interface TrainingData {
    /**
     * One example: the clean latent x0 [16, F, H, W], its prompt embedding [n, text_dim] and the
     * optional source latent the flow starts from at s = 1 (same shape as x0; null = Philox noise,
     * plain flow matching). With a source the objective is flow mapping, as the SURF Refiner is
     * trained: x_s = (1 - s) x0 + s source, target velocity source - x0. All owned by the caller.
     */
    record Example(Tensor latent, Tensor context, Tensor source) implements AutoCloseable {
        /** A flow-matching example (noise at s = 1). */
        public Example(Tensor latent, Tensor context) {
            this(latent, context, null);
        }

        public Example {
            if (source != null && !source.shape().equals(latent.shape())) {
                throw new IllegalArgumentException("training example: source latent " + source.shape()
                        + " must have the clean latent's shape " + latent.shape());
            }
        }

        @Override
        public void close() {
            latent.close();
            context.close();
            if (source != null) {
                source.close();
            }
        }
    }

    /** How many examples there are (at least 1). */
    int size();

    /** Example {@code index} ({@code 0 <= index < size}) as new tensors on {@code be}; the same index gives the same bytes. */
    Example get(int index, Backend be);
}
