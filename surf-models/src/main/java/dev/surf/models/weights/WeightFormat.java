package dev.surf.models.weights;

import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The key naming convention of a checkpoint: the official Wan 2.1 code's names or the diffusers /
 * transformers ones (spec/wan21.md §2.2). Covers the DiT, the Wan VAE and the umT5 encoder.
 *
 * <p>These are model key rules, so they live with the models: {@link Checkpoint#open} applies them
 * once per checkpoint, and each model's {@code *Keys} class holds the rename to its official names.
 * A new model adds its recognisable key prefixes to the rules below (docs/architecture.md,
 * "Checkpoints").
 */
public enum WeightFormat {
    /** Names of the official Wan 2.1 repository ({@code blocks.0.self_attn.q.weight}, {@code decoder.conv1.weight}, ...). */
    WAN_OFFICIAL("wan-official"),
    /** Names of diffusers ({@code blocks.0.attn1.to_q.weight}) and of the transformers umT5 encoder. */
    DIFFUSERS("diffusers"),
    /** No recognisable keys, or as many of one convention as of the other. */
    UNKNOWN("unknown");

    private final String label;

    WeightFormat(String label) {
        this.label = label;
    }

    /** The lower-case name shown to users: "wan-official", "diffusers" or "unknown". */
    public String label() {
        return label;
    }

    private record Rule(Pattern prefix, WeightFormat format) {
    }

    // Each pattern is matched at the start of a key. Keys both conventions share (patch_embedding.*)
    // or use with different meanings (blocks.N.norm2.* is the T5 FFN norm officially but the DiT
    // cross-attention norm in diffusers) are deliberately absent: they would only blur the vote.
    private static final List<Rule> RULES = List.of(
            // official DiT
            rule("blocks\\.\\d+\\.(self_attn|cross_attn)\\.", WAN_OFFICIAL),
            rule("blocks\\.\\d+\\.ffn\\.\\d+\\.", WAN_OFFICIAL),
            rule("blocks\\.\\d+\\.(modulation$|norm3\\.)", WAN_OFFICIAL),
            rule("(text_embedding|time_embedding|time_projection|img_emb)\\.", WAN_OFFICIAL),
            rule("head\\.(head\\.|modulation$)", WAN_OFFICIAL),
            // official umT5 encoder
            rule("blocks\\.\\d+\\.(attn\\.|ffn\\.(fc1|fc2|gate)\\.|pos_embedding\\.)", WAN_OFFICIAL),
            rule("(token_embedding\\.|norm\\.weight$|pos_embedding\\.)", WAN_OFFICIAL),
            // official Wan VAE
            rule("(encoder|decoder)\\.(conv1|middle|upsamples|downsamples|head)\\.", WAN_OFFICIAL),
            rule("conv[12]\\.", WAN_OFFICIAL),
            // diffusers DiT
            rule("blocks\\.\\d+\\.(attn1|attn2)\\.", DIFFUSERS),
            rule("blocks\\.\\d+\\.ffn\\.net\\.", DIFFUSERS),
            rule("(blocks\\.\\d+\\.)?scale_shift_table$", DIFFUSERS),
            rule("(condition_embedder|proj_out)\\.", DIFFUSERS),
            // diffusers AutoencoderKLWan
            rule("(encoder|decoder)\\.(conv_in|conv_out|mid_block|up_blocks|down_blocks|norm_out)\\.", DIFFUSERS),
            rule("(post_)?quant_conv\\.", DIFFUSERS),
            // transformers UMT5EncoderModel
            rule("(encoder\\.)?block\\.\\d+\\.layer\\.", DIFFUSERS),
            rule("(shared\\.weight$|encoder\\.(embed_tokens|final_layer_norm)\\.)", DIFFUSERS));

    private static Rule rule(String prefix, WeightFormat format) {
        return new Rule(Pattern.compile(prefix), format);
    }

    /** The convention a key belongs to, or UNKNOWN if no rule recognises it. */
    static WeightFormat classify(String name) {
        for (Rule r : RULES) {
            if (r.prefix().matcher(name).lookingAt()) {
                return r.format();
            }
        }
        return UNKNOWN;
    }

    /** The convention most recognisable keys follow; UNKNOWN if none is recognised or the vote ties. */
    public static WeightFormat detect(Collection<String> names) {
        long official = 0;
        long diffusers = 0;
        for (String n : names) {
            switch (classify(n)) {
                case WAN_OFFICIAL -> official++;
                case DIFFUSERS -> diffusers++;
                case UNKNOWN -> { }
            }
        }
        return official > diffusers ? WAN_OFFICIAL : diffusers > official ? DIFFUSERS : UNKNOWN;
    }
}
