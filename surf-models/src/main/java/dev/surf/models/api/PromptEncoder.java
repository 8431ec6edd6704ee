package dev.surf.models.api;

import java.util.function.Consumer;

/**
 * What turns a prompt into the DiT's context rows: umT5-XXL for the Wan 2.1 checkpoints
 * ({@link dev.surf.models.t5.TextEncoder}) or the small world's word-level encoder
 * ({@link dev.surf.models.world.text.WorldTextEncoder}) for the models trained on it.
 */
public interface PromptEncoder extends AutoCloseable {
    /**
     * The context of one prompt; warnings (a truncated prompt) go to warnings, which may be null.
     *
     * @throws IllegalArgumentException for a prompt this encoder cannot take (one line saying why)
     */
    TextEmbedding encode(String prompt, Consumer<String> warnings);

    /** One line for logs. */
    String describe();

    @Override
    void close();
}
