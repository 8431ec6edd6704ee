package dev.surf.models.world.text;

import dev.surf.core.Backend;
import dev.surf.models.api.TextEmbedding;
import dev.surf.models.api.TinyModels;
import dev.surf.models.t5.T5Encoder;
import dev.surf.models.t5.TextEncoder;
import dev.surf.models.t5.TokenizedPrompt;
import dev.surf.models.t5.UmT5Config;
import dev.surf.models.weights.RandomWeights;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The text encoder of the procedural world: a tiny encoder in the umT5 architecture (the engine's
 * {@link T5Encoder}: token embedding, per-block relative position bias, gated-GELU FFN, final RMSNorm)
 * over the {@link WorldTokenizer} vocabulary, {@link #CONFIG}, with output width and text length of
 * the tiny base DiT ({@link TinyModels#BASE}: 64 and 32).
 *
 * <p>Its weights are frozen random weights: {@link RandomWeights} with the fixed seed {@link #SEED},
 * never trained. The DiT's cross-attention learns to read them: every (word, position) gives a
 * distinct, fixed embedding row, which is all a conditioning signal needs. Being a pure function of
 * the seed, the encoder ships as code rather than as a weight file.
 *
 * <p>{@link #encode} returns, like the umT5 pipeline ({@link TextEncoder}), the rows of the real
 * tokens only (EOS included); the DiT zero-pads them to its text length. The empty prompt gives the
 * single EOS row: the unconditional context of classifier-free guidance.
 *
 * <p>Thread-safety: as {@link TextEncoder}'s.
 */
public final class WorldTextEncoder implements AutoCloseable {
    /** Seed of the frozen random weights (fixed: the world's text embeddings are the same everywhere). */
    public static final long SEED = 20251203L;

    /**
     * The architecture: vocabulary 25, width 64 (the base DiT's text_dim), attention width 64 in 2
     * heads of 32, FFN 160 (umT5-XXL's 2.5 ratio), 2 blocks, 32 relative position buckets, one
     * position-bias table per block (umT5).
     */
    public static final UmT5Config CONFIG = new UmT5Config(WorldTokenizer.vocabSize(), TinyModels.BASE.textDim(),
            TinyModels.BASE.textDim(), 160, 2, 2, 32, false);

    private final TextEncoder encoder;
    private final WorldTokenizer tokenizer;

    private WorldTextEncoder(TextEncoder encoder, WorldTokenizer tokenizer) {
        this.encoder = encoder;
        this.tokenizer = tokenizer;
    }

    /** The world's encoder on {@code be} (the CPU gives the same bytes on every machine). */
    public static WorldTextEncoder open(Backend be) {
        try {
            T5Encoder t5 = T5Encoder.load(new RandomWeights(SEED), be, CONFIG);
            return new WorldTextEncoder(new TextEncoder(t5, null), new WorldTokenizer(TinyModels.BASE.textLen()));
        } catch (IOException e) {
            // random weights read no file: this cannot happen
            throw new UncheckedIOException(e);
        }
    }

    /** The tokenizer (text length {@code TinyModels.BASE.textLen()}). */
    public WorldTokenizer tokenizer() {
        return tokenizer;
    }

    /** The umT5 encoder underneath. */
    public T5Encoder encoder() {
        return encoder.encoder();
    }

    /** The prompt's tokens (padded ids and mask). */
    public TokenizedPrompt tokenize(String prompt) {
        return tokenizer.encode(prompt);
    }

    /**
     * The prompt's context rows [n_real, 64] (n_real = words + 1 for EOS, at most the text length).
     *
     * @throws IllegalArgumentException for a word outside the vocabulary (one line listing it)
     */
    public TextEmbedding encode(String prompt) {
        return encoder.encodeIds(List.of(tokenizer.encode(prompt).realIds())).get(0);
    }

    /** One line for logs. */
    public String describe() {
        return "world text encoder (umT5 architecture, " + CONFIG.numLayers() + " blocks of width " + CONFIG.dim()
                + ", frozen random weights, seed " + SEED + ")";
    }

    @Override
    public void close() {
        encoder.close();
    }
}
