package dev.surf.models.sweep;

import dev.surf.models.api.TextEmbedding;
import dev.surf.models.world.WorldPrompt;
import java.util.Objects;

/**
 * One sample of a prompt-set sweep: a prompt of the small world, its DiT context and a noise seed.
 *
 * @param text    the prompt as written (what the context encodes)
 * @param prompt  the prompt parsed, what the checker's verdict is against
 * @param context the prompt's text embedding
 * @param seed    the noise seed of the baseline and of every preview of this sample
 */
public record SweepCase(String text, WorldPrompt prompt, TextEmbedding context, long seed) {
    public SweepCase {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(context, "context");
    }
}
