package dev.surf.models.world.text;

import dev.surf.models.t5.TokenizedPrompt;
import dev.surf.models.t5.UmT5Tokenizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The word-level tokenizer of the procedural world's prompts (issue 21 grammar: "a {colour} {shape}
 * moving {direction}", optionally "on a {background} background"). It follows the umT5 conventions
 * of {@link UmT5Tokenizer} so that a {@link TokenizedPrompt} means the same thing here: pad id 0,
 * EOS id 1 appended to every prompt, ids padded with 0 to a fixed text length, truncation keeps
 * the EOS, and the mask covers the real tokens (EOS included).
 *
 * <p>Vocabulary: pad (0), eos (1), then {@link #WORDS} in their listed order from id 2. The order is
 * part of the model: the text encoder's embedding row of a word is its id, so it never changes.
 *
 * <p>A prompt is lower-cased (root locale) and split on runs of whitespace; any word outside the
 * vocabulary is an error whose one line lists the vocabulary. The grammar itself is not checked
 * here (the world's prompt parser does that): this class only maps words to ids. The empty (or
 * all-blank) prompt is just EOS: the unconditional prompt of classifier-free guidance.
 *
 * <p>Immutable and thread-safe.
 */
public final class WorldTokenizer {
    /** The id T5 pads with. */
    public static final int PAD_ID = UmT5Tokenizer.PAD_ID;
    /** The id of the end-of-sequence token appended to every prompt (umT5's {@code </s>}). */
    public static final int EOS_ID = 1;
    /** Id of {@code WORDS.get(0)}; the words follow in order. */
    public static final int FIRST_WORD_ID = 2;

    /**
     * Every word of the grammar: the function words, the 8 colours, the 3 shapes, the 4 directions and
     * the 3 backgrounds, in that order (ids 2..24).
     */
    public static final List<String> WORDS = List.of(
            "a", "an", "moving", "on", "background",
            "red", "green", "blue", "yellow", "cyan", "magenta", "orange", "purple",
            "circle", "square", "triangle",
            "left", "right", "up", "down",
            "black", "white", "gray");

    private static final Map<String, Integer> IDS = new HashMap<>();

    static {
        for (int i = 0; i < WORDS.size(); i++) {
            IDS.put(WORDS.get(i), FIRST_WORD_ID + i);
        }
    }

    private final int textLen;

    /** A tokenizer padding and truncating prompts to {@code textLen} tokens (EOS included; at least 1). */
    public WorldTokenizer(int textLen) {
        if (textLen < 1) {
            throw new IllegalArgumentException("text length must be >= 1, got " + textLen);
        }
        this.textLen = textLen;
    }

    /** Rows of the token table: pad, eos and the words. */
    public static int vocabSize() {
        return FIRST_WORD_ID + WORDS.size();
    }

    /** The fixed length prompts are padded to. */
    public int textLen() {
        return textLen;
    }

    /** The id of a (lower-case) word; an unknown word is an error listing the vocabulary. */
    public static int id(String word) {
        Integer id = IDS.get(word);
        if (id == null) {
            throw new IllegalArgumentException("unknown word '" + word + "' in a world prompt; the vocabulary is: "
                    + String.join(", ", WORDS));
        }
        return id;
    }

    /** The token of an id: {@code <pad>}, {@code </s>} or a word. */
    public static String token(int id) {
        if (id == PAD_ID) {
            return "<pad>";
        }
        if (id == EOS_ID) {
            return "</s>";
        }
        if (id < FIRST_WORD_ID || id >= vocabSize()) {
            throw new IllegalArgumentException("token id " + id + " is outside the world vocabulary 0.." + (vocabSize() - 1));
        }
        return WORDS.get(id - FIRST_WORD_ID);
    }

    /** The words of a prompt: lower-cased, split on whitespace runs (null and blank give none). */
    public static List<String> words(String prompt) {
        String p = prompt == null ? "" : prompt.strip().toLowerCase(Locale.ROOT);
        return p.isEmpty() ? List.of() : List.of(p.split("(?U)\\s+"));
    }

    /**
     * The prompt's ids padded to the text length, as umT5's tokenizer call returns them: the word ids,
     * EOS, then PAD. A prompt of more than textLen - 1 words is cut and keeps its EOS (truncated true).
     *
     * @throws IllegalArgumentException for a word outside the vocabulary (one line listing it)
     */
    public TokenizedPrompt encode(String prompt) {
        List<String> words = words(prompt);
        List<Integer> ids = new ArrayList<>();
        for (String w : words) {
            ids.add(id(w));
        }
        boolean truncated = ids.size() > textLen - 1;
        int kept = Math.min(ids.size(), textLen - 1);
        int[] padded = new int[textLen];
        for (int i = 0; i < kept; i++) {
            padded[i] = ids.get(i);
        }
        padded[kept] = EOS_ID;
        return new TokenizedPrompt(String.join(" ", words), padded, kept + 1, truncated);
    }
}
