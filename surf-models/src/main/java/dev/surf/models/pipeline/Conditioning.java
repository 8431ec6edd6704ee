package dev.surf.models.pipeline;

import dev.surf.core.Tensor;

/**
 * Text conditioning of a generation: the prompt's context rows [n, text_dim] and, for
 * classifier-free guidance, the negative prompt's [m, text_dim] (null when guidance is off).
 * The tensors belong to the caller and must live on the pipeline's backend.
 */
public record Conditioning(Tensor context, Tensor contextNull) {
    public Conditioning {
        if (context == null) {
            throw new IllegalArgumentException("a text context is required");
        }
    }
}
