package dev.surf.models.t5;

import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Official umT5 encoder parameter names ({@code T5Encoder} of wan/modules/t5.py) and their twins in
 * transformers' {@code UMT5EncoderModel}, spec/wan21.md §5.4. The encoder asks for official names; a
 * transformers checkpoint is read through {@link #toHf}. The mapping is a pure rename: every tensor
 * keeps its shape.
 */
public final class T5Keys {
    private static final Pattern BLOCK_KEY = Pattern.compile("blocks\\.(\\d+)\\.(.*)");

    /** Inside blocks.{i}.: official prefix -> transformers prefix inside encoder.block.{i}. */
    private static final String[][] BLOCK = {
        {"norm1.", "layer.0.layer_norm."},
        {"attn.q.", "layer.0.SelfAttention.q."},
        {"attn.k.", "layer.0.SelfAttention.k."},
        {"attn.v.", "layer.0.SelfAttention.v."},
        {"attn.o.", "layer.0.SelfAttention.o."},
        {"pos_embedding.embedding.", "layer.0.SelfAttention.relative_attention_bias."},
        {"norm2.", "layer.1.layer_norm."},
        {"ffn.gate.0.", "layer.1.DenseReluDense.wi_0."},
        {"ffn.fc1.", "layer.1.DenseReluDense.wi_1."},
        {"ffn.fc2.", "layer.1.DenseReluDense.wo."},
    };

    private T5Keys() {
    }

    /**
     * The transformers name of an official encoder parameter (unchanged when none applies). The
     * token embedding is {@code shared.weight}, or {@code encoder.embed_tokens.weight} when a file
     * stores only that copy of the tied table; {@code has} tells which names exist.
     */
    public static String toHf(String official, Predicate<String> has) {
        if (official.equals("token_embedding.weight")) {
            return has.test("shared.weight") || !has.test("encoder.embed_tokens.weight") ? "shared.weight"
                    : "encoder.embed_tokens.weight";
        }
        if (official.equals("norm.weight")) {
            return "encoder.final_layer_norm.weight";
        }
        if (official.equals("pos_embedding.embedding.weight")) {
            // a shared table (classic T5) lives in the first block only
            return "encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight";
        }
        Matcher m = BLOCK_KEY.matcher(official);
        if (m.matches()) {
            for (String[] r : BLOCK) {
                if (m.group(2).startsWith(r[0])) {
                    return "encoder.block." + m.group(1) + "." + r[1] + m.group(2).substring(r[0].length());
                }
            }
        }
        return official;
    }

    /** {@link #toHf} bound to an archive's names. */
    public static UnaryOperator<String> toHf(Predicate<String> has) {
        return name -> toHf(name, has);
    }
}
