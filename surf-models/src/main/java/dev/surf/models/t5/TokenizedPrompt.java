package dev.surf.models.t5;

/**
 * One prompt as the official tokenizer call returns it ({@code padding='max_length'},
 * {@code truncation=True}, {@code add_special_tokens=True}): ids padded with 0 to the text length,
 * the attention mask (1 for real tokens, EOS included), and what led there.
 *
 * @param cleaned   the prompt after the official whitespace cleaning (what was tokenized)
 * @param ids       token ids, padded with 0 to the text length
 * @param length    real tokens n_real (mask ones), EOS included; at least 1
 * @param truncated true when the prompt had more tokens than fit and was cut (EOS kept)
 */
public record TokenizedPrompt(String cleaned, int[] ids, int length, boolean truncated) {

    public TokenizedPrompt {
        if (length < 1 || length > ids.length) {
            throw new IllegalArgumentException("tokenized prompt: " + length + " real tokens among " + ids.length + " ids");
        }
        ids = ids.clone();
    }

    @Override
    public int[] ids() {
        return ids.clone();
    }

    /** The attention mask: 1 for the first {@link #length} positions, then 0. */
    public int[] mask() {
        int[] m = new int[ids.length];
        java.util.Arrays.fill(m, 0, length, 1);
        return m;
    }

    /** The real tokens only (EOS last). */
    public int[] realIds() {
        return java.util.Arrays.copyOf(ids, length);
    }
}
