package dev.surf.models.t5;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A unigram tokenizer.json small enough to segment by hand, in the layout of google/umt5-xxl's
 * (added special tokens pad 0, EOS 1, unk 2; Metaspace pre-tokenizer and decoder; the EOS template;
 * a NFKC normalizer standing in for umT5's precompiled SentencePiece charsmap). Its ids stay below
 * the tiny T5's vocabulary of 300.
 */
public final class TinyTokenizer {
    /** Pieces by id with their log-probabilities: the Viterbi segmentation maximises the score sum. */
    static final String[][] VOCAB = {
        {"<pad>", "0"}, {"</s>", "0"}, {"<unk>", "0"}, {"\u2581", "-3"}, {"\u2581a", "-2"}, {"\u2581corgi", "-4"},
        {"\u2581cor", "-3"}, {"gi", "-3"}, {"\u2581surf", "-4"}, {"ing", "-2.5"}, {"\u2581surfing", "-9"},
        {"\u2581wave", "-4"}, {",", "-3"}, {"a", "-5"}, {"c", "-5"}, {"o", "-5"}, {"r", "-5"}, {"g", "-5"}, {"i", "-5"},
        {"s", "-5"}, {"u", "-5"}, {"f", "-5"}, {"n", "-5"}, {"w", "-5"}, {"v", "-5"}, {"e", "-5"}, {"\"", "-4"},
    };

    private TinyTokenizer() {
    }

    /** Writes DIR/tokenizer.json and returns DIR (a stand-in for the google/umt5-xxl folder). */
    public static Path write(Path dir) throws IOException {
        StringBuilder vocab = new StringBuilder();
        for (int i = 0; i < VOCAB.length; i++) {
            vocab.append(i == 0 ? "" : ", ").append("[\"").append(VOCAB[i][0].replace("\"", "\\\"")).append("\", ")
                    .append(VOCAB[i][1]).append(']');
        }
        String json = """
                {
                  "version": "1.0", "truncation": null, "padding": null,
                  "added_tokens": [
                    {"id": 0, "content": "<pad>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
                    {"id": 1, "content": "</s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
                    {"id": 2, "content": "<unk>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}
                  ],
                  "normalizer": {"type": "Sequence", "normalizers": [
                    {"type": "NFKC"}, {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}]},
                  "pre_tokenizer": {"type": "Metaspace", "replacement": "\\u2581", "prepend_scheme": "always", "split": true},
                  "post_processor": {"type": "TemplateProcessing",
                    "single": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}],
                    "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}},
                             {"Sequence": {"id": "B", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}],
                    "special_tokens": {"</s>": {"id": "</s>", "ids": [1], "tokens": ["</s>"]}}},
                  "decoder": {"type": "Metaspace", "replacement": "\\u2581", "prepend_scheme": "always", "split": true},
                  "model": {"type": "Unigram", "unk_id": 2, "byte_fallback": false, "vocab": [VOCAB]}
                }
                """.replace("VOCAB", vocab);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("tokenizer.json"), json, StandardCharsets.UTF_8);
        return dir;
    }
}
