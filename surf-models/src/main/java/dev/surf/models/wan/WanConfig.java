package dev.surf.models.wan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Hyper-parameters of a Wan 2.1 DiT ({@code WanModel} in wan/modules/model.py), spec/wan21.md §2.1.
 *
 * @param patchT        temporal patch size (1)
 * @param patchH        spatial patch height (2)
 * @param patchW        spatial patch width (2)
 * @param textLen       rows the text context is zero-padded to (512)
 * @param inDim         latent channels in (16)
 * @param dim           hidden size
 * @param ffnDim        FFN inner size
 * @param freqDim       timestep sinusoid width (256)
 * @param textDim       text embedding width (4096 for umT5-XXL)
 * @param outDim        latent channels out (16)
 * @param numHeads      attention heads
 * @param numLayers     transformer blocks
 * @param qkNorm        RMSNorm on q and k
 * @param crossAttnNorm affine LayerNorm before cross-attention
 * @param eps           epsilon of every norm (1e-6)
 */
public record WanConfig(int patchT, int patchH, int patchW, int textLen, int inDim, int dim, int ffnDim, int freqDim,
                        int textDim, int outDim, int numHeads, int numLayers, boolean qkNorm, boolean crossAttnNorm,
                        float eps) {

    public WanConfig {
        if (dim <= 0 || numHeads <= 0 || dim % numHeads != 0) {
            throw new IllegalArgumentException("Wan config: dim " + dim + " must be a positive multiple of num_heads " + numHeads);
        }
        if ((dim / numHeads) % 2 != 0) {
            throw new IllegalArgumentException("Wan config: head dim " + dim / numHeads + " must be even for RoPE");
        }
        for (int v : new int[] {patchT, patchH, patchW, textLen, inDim, ffnDim, freqDim, textDim, outDim, numLayers}) {
            if (v <= 0) {
                throw new IllegalArgumentException("Wan config: sizes must be positive: " + this);
            }
        }
        if (freqDim % 2 != 0) {
            throw new IllegalArgumentException("Wan config: freq_dim must be even, got " + freqDim);
        }
    }

    /** Wan2.1-T2V-1.3B. */
    public static final WanConfig T2V_1_3B = new WanConfig(1, 2, 2, 512, 16, 1536, 8960, 256, 4096, 16, 12, 30, true, true, 1e-6f);
    /** Wan2.1-T2V-14B. */
    public static final WanConfig T2V_14B = new WanConfig(1, 2, 2, 512, 16, 5120, 13824, 256, 4096, 16, 40, 40, true, true, 1e-6f);

    public int headDim() {
        return dim / numHeads;
    }

    /** Values of one patch: inDim x patchT x patchH x patchW. */
    public int patchSize() {
        return inDim * patchT * patchH * patchW;
    }

    /** Parameter count of this configuration (weights of a T2V checkpoint). */
    public long parameterCount() {
        long d = dim;
        long embed = d * patchSize() + d + d * textDim + d + d * d + d + d * freqDim + d + d * d + d + 6 * d * d + 6 * d;
        long block = 6 * d + 8 * (d * d + d) + (qkNorm ? 4 * d : 0) + (crossAttnNorm ? 2 * d : 0)
                + d * ffnDim + ffnDim + ffnDim * d + d;
        long head = (long) outDim * patchT * patchH * patchW * (d + 1) + 2 * d;
        return embed + numLayers * block + head;
    }

    /** A named preset: "wan-t2v-1.3b", "wan-t2v-14b" (case-insensitive); null if unknown. */
    public static WanConfig preset(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "wan-t2v-1.3b", "t2v-1.3b", "1.3b" -> T2V_1_3B;
            case "wan-t2v-14b", "t2v-14b", "14b" -> T2V_14B;
            default -> null;
        };
    }

    /**
     * Reads an official or diffusers config.json. Official keys: dim, ffn_dim, num_heads, ...; diffusers
     * (WanTransformer3DModel): num_attention_heads x attention_head_dim, ffn_dim, num_layers, ... Fields
     * absent from the file take the T2V defaults (patch (1,2,2), text_len 512, text_dim 4096, qk_norm,
     * cross_attn_norm, eps 1e-6), as the official class does.
     */
    public static WanConfig fromJson(Path file) throws IOException {
        JsonNode n;
        try {
            n = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException("cannot read Wan config " + file + ": " + e.getMessage(), e);
        }
        if (n == null || !n.isObject()) {
            throw new IOException("Wan config " + file + " is not a JSON object");
        }
        WanConfig d = T2V_1_3B;
        int[] patch = {d.patchT, d.patchH, d.patchW};
        if (n.has("patch_size") && n.get("patch_size").isArray() && n.get("patch_size").size() == 3) {
            for (int i = 0; i < 3; i++) {
                patch[i] = n.get("patch_size").get(i).asInt();
            }
        }
        int heads;
        int dim;
        if (n.has("num_attention_heads")) {
            heads = n.get("num_attention_heads").asInt();
            dim = heads * n.path("attention_head_dim").asInt(128);
        } else {
            dim = required(n, "dim", file);
            heads = required(n, "num_heads", file);
        }
        boolean qk = n.has("qk_norm") ? !n.get("qk_norm").isBoolean() || n.get("qk_norm").asBoolean() : d.qkNorm;
        try {
            return new WanConfig(patch[0], patch[1], patch[2],
                    n.path("text_len").asInt(d.textLen),
                    n.has("in_channels") ? n.get("in_channels").asInt() : n.path("in_dim").asInt(d.inDim),
                    dim,
                    required(n, "ffn_dim", file),
                    n.path("freq_dim").asInt(d.freqDim),
                    n.path("text_dim").asInt(d.textDim),
                    n.has("out_channels") ? n.get("out_channels").asInt() : n.path("out_dim").asInt(d.outDim),
                    heads,
                    required(n, "num_layers", file),
                    qk,
                    n.path("cross_attn_norm").asBoolean(d.crossAttnNorm),
                    (float) n.path("eps").asDouble(d.eps));
        } catch (IllegalArgumentException e) {
            throw new IOException("Wan config " + file + ": " + e.getMessage(), e);
        }
    }

    private static int required(JsonNode n, String key, Path file) throws IOException {
        JsonNode v = n.get(key);
        if (v == null || !v.canConvertToInt()) {
            throw new IOException("Wan config " + file + " lacks the integer field \"" + key + "\"");
        }
        return v.asInt();
    }
}
