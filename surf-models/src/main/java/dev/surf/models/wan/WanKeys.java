package dev.surf.models.wan;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Official Wan 2.1 DiT parameter names and their diffusers ({@code WanTransformer3DModel}) twins,
 * spec/wan21.md §2.2. The model asks for official names; a diffusers checkpoint is read through
 * {@link #toDiffusers}. The mapping is a pure rename: no tensor is reshaped.
 */
public final class WanKeys {
    private WanKeys() {
    }

    private static final String[][] TOP = {
        {"text_embedding.0.", "condition_embedder.text_embedder.linear_1."},
        {"text_embedding.2.", "condition_embedder.text_embedder.linear_2."},
        {"time_embedding.0.", "condition_embedder.time_embedder.linear_1."},
        {"time_embedding.2.", "condition_embedder.time_embedder.linear_2."},
        {"time_projection.1.", "condition_embedder.time_proj."},
        {"head.head.", "proj_out."},
    };

    /** Inside blocks.{i}.: official suffix prefix -> diffusers. norm3 (affine, before cross-attention) is diffusers' norm2. */
    private static final String[][] BLOCK = {
        {"self_attn.q.", "attn1.to_q."},
        {"self_attn.k.", "attn1.to_k."},
        {"self_attn.v.", "attn1.to_v."},
        {"self_attn.o.", "attn1.to_out.0."},
        {"self_attn.norm_q.", "attn1.norm_q."},
        {"self_attn.norm_k.", "attn1.norm_k."},
        {"cross_attn.q.", "attn2.to_q."},
        {"cross_attn.k.", "attn2.to_k."},
        {"cross_attn.v.", "attn2.to_v."},
        {"cross_attn.o.", "attn2.to_out.0."},
        {"cross_attn.norm_q.", "attn2.norm_q."},
        {"cross_attn.norm_k.", "attn2.norm_k."},
        {"norm3.", "norm2."},
        {"ffn.0.", "ffn.net.0.proj."},
        {"ffn.2.", "ffn.net.2."},
    };

    private static final Pattern BLOCK_KEY = Pattern.compile("blocks\\.(\\d+)\\.(.*)");

    /** The diffusers name of an official DiT parameter name (unchanged when both agree). */
    public static String toDiffusers(String official) {
        if (official.equals("head.modulation")) {
            return "scale_shift_table";
        }
        Matcher m = BLOCK_KEY.matcher(official);
        if (m.matches()) {
            String rest = m.group(2);
            if (rest.equals("modulation")) {
                return "blocks." + m.group(1) + ".scale_shift_table";
            }
            for (String[] r : BLOCK) {
                if (rest.startsWith(r[0])) {
                    return "blocks." + m.group(1) + "." + r[1] + rest.substring(r[0].length());
                }
            }
            return official;
        }
        for (String[] r : TOP) {
            if (official.startsWith(r[0])) {
                return r[1] + official.substring(r[0].length());
            }
        }
        return official;
    }

    /** Official name of block i's parameter, e.g. block(3, "self_attn.q.weight"). */
    public static String block(int i, String rest) {
        return "blocks." + i + "." + rest;
    }
}
