package dev.surf.models.t5;

import dev.surf.core.Backend;
import dev.surf.core.Tensor;
import dev.surf.models.api.PromptEncoder;
import dev.surf.models.api.TextEmbedding;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Prompt to DiT context, as the official {@code T5EncoderModel} wrapper (spec/wan21.md §1 step 1):
 * tokenize (clean, EOS, truncate), run the umT5 encoder with padding keys masked, keep the first
 * n_real rows of each prompt (EOS included). The result is host floats [n_real, dim].
 *
 * <p>A batch is encoded at the length of its longest prompt rather than padded to 512: padding keys
 * are masked and the rows are trimmed, so the real rows do not depend on the padding (up to float
 * rounding), and a short prompt costs its own length instead of 512 tokens.
 *
 * <p>Thread-safety: as the encoder's; encodings may run concurrently on a thread-safe backend.
 */
public final class TextEncoder implements PromptEncoder {
    private final T5Encoder encoder;
    private final UmT5Tokenizer tokenizer;

    /** Takes ownership of both; tokenizer may be null when only {@link #encodeIds} is used. */
    public TextEncoder(T5Encoder encoder, UmT5Tokenizer tokenizer) {
        this.encoder = encoder;
        this.tokenizer = tokenizer;
    }

    /** The encoder at t5 (.pth or safetensors, either naming) and the tokenizer of a google/umt5-xxl folder. */
    public static TextEncoder load(Path t5, Path tokenizerDir, Backend be) throws IOException {
        UmT5Tokenizer tok = UmT5Tokenizer.open(tokenizerDir);
        try {
            return new TextEncoder(T5Checkpoint.load(t5, null, be), tok);
        } catch (IOException | RuntimeException e) {
            tok.close();
            throw e;
        }
    }

    public T5Encoder encoder() {
        return encoder;
    }

    /** The tokenizer, or null. */
    public UmT5Tokenizer tokenizer() {
        return tokenizer;
    }

    /** One prompt's context; a truncation warning goes to warnings (may be null). */
    public TextEmbedding encode(String prompt, Consumer<String> warnings) {
        return encode(List.of(prompt == null ? "" : prompt), warnings).get(0);
    }

    /** Several prompts' contexts, encoded as one batch. */
    public List<TextEmbedding> encode(List<String> prompts, Consumer<String> warnings) {
        if (tokenizer == null) {
            throw new IllegalStateException("this text encoder has no tokenizer: pass token ids to encodeIds");
        }
        List<int[]> ids = new ArrayList<>();
        for (String p : prompts) {
            ids.add(tokenizer.encode(p, warnings).realIds());
        }
        return encodeIds(ids);
    }

    /**
     * Contexts of token sequences given without padding (each its real tokens, EOS last), encoded as
     * one batch at the longest length: one [n_b, dim] embedding per sequence.
     */
    public List<TextEmbedding> encodeIds(List<int[]> sequences) {
        if (sequences.isEmpty()) {
            throw new IllegalArgumentException("at least one token sequence is needed");
        }
        int batch = sequences.size();
        int l = 0;
        int[] lengths = new int[batch];
        for (int b = 0; b < batch; b++) {
            lengths[b] = sequences.get(b).length;
            l = Math.max(l, lengths[b]);
        }
        int[] ids = new int[batch * l];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(sequences.get(b), 0, ids, b * l, lengths[b]);
        }
        int dim = encoder.config().dim();
        float[] all;
        try (Tensor out = encoder.forward(ids, batch, lengths)) {
            all = encoder.backend().toFloats(out);
        }
        List<TextEmbedding> result = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            int from = b * l * dim;
            result.add(new TextEmbedding(Arrays.copyOfRange(all, from, from + lengths[b] * dim), lengths[b], dim));
        }
        return result;
    }

    /** One line for logs: where the encoder and the tokenizer came from. */
    public String describe() {
        UmT5Config c = encoder.config();
        return "umT5 encoder " + encoder.weights().describe() + ", " + c.numLayers() + " blocks of width " + c.dim()
                + (tokenizer == null ? "" : ", tokenizer " + tokenizer.file());
    }

    @Override
    public void close() {
        encoder.close();
        if (tokenizer != null) {
            tokenizer.close();
        }
    }
}
