package dev.surf.models.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.surf.core.safetensors.WeightStore;
import dev.surf.core.testing.Fixtures;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Naming-convention detection on the conformance fixtures and on key lists built from spec/wan21.md §2.2. */
class WeightFormatTest {
    /** Per-block keys of §2.2, official then diffusers, in the table's order. */
    private static final String[][] BLOCK_KEYS = {
        {"modulation", "scale_shift_table"},
        {"self_attn.q.weight", "attn1.to_q.weight"}, {"self_attn.q.bias", "attn1.to_q.bias"},
        {"self_attn.k.weight", "attn1.to_k.weight"}, {"self_attn.k.bias", "attn1.to_k.bias"},
        {"self_attn.v.weight", "attn1.to_v.weight"}, {"self_attn.v.bias", "attn1.to_v.bias"},
        {"self_attn.o.weight", "attn1.to_out.0.weight"}, {"self_attn.o.bias", "attn1.to_out.0.bias"},
        {"self_attn.norm_q.weight", "attn1.norm_q.weight"}, {"self_attn.norm_k.weight", "attn1.norm_k.weight"},
        {"cross_attn.q.weight", "attn2.to_q.weight"}, {"cross_attn.q.bias", "attn2.to_q.bias"},
        {"cross_attn.k.weight", "attn2.to_k.weight"}, {"cross_attn.k.bias", "attn2.to_k.bias"},
        {"cross_attn.v.weight", "attn2.to_v.weight"}, {"cross_attn.v.bias", "attn2.to_v.bias"},
        {"cross_attn.o.weight", "attn2.to_out.0.weight"}, {"cross_attn.o.bias", "attn2.to_out.0.bias"},
        {"cross_attn.norm_q.weight", "attn2.norm_q.weight"}, {"cross_attn.norm_k.weight", "attn2.norm_k.weight"},
        {"norm3.weight", "norm2.weight"}, {"norm3.bias", "norm2.bias"},
        {"ffn.0.weight", "ffn.net.0.proj.weight"}, {"ffn.0.bias", "ffn.net.0.proj.bias"},
        {"ffn.2.weight", "ffn.net.2.weight"}, {"ffn.2.bias", "ffn.net.2.bias"},
    };

    /** Top-level keys of §2.2, official then diffusers. */
    private static final String[][] TOP_KEYS = {
        {"patch_embedding.weight", "patch_embedding.weight"}, {"patch_embedding.bias", "patch_embedding.bias"},
        {"text_embedding.0.weight", "condition_embedder.text_embedder.linear_1.weight"},
        {"text_embedding.0.bias", "condition_embedder.text_embedder.linear_1.bias"},
        {"text_embedding.2.weight", "condition_embedder.text_embedder.linear_2.weight"},
        {"text_embedding.2.bias", "condition_embedder.text_embedder.linear_2.bias"},
        {"time_embedding.0.weight", "condition_embedder.time_embedder.linear_1.weight"},
        {"time_embedding.0.bias", "condition_embedder.time_embedder.linear_1.bias"},
        {"time_embedding.2.weight", "condition_embedder.time_embedder.linear_2.weight"},
        {"time_embedding.2.bias", "condition_embedder.time_embedder.linear_2.bias"},
        {"time_projection.1.weight", "condition_embedder.time_proj.weight"},
        {"time_projection.1.bias", "condition_embedder.time_proj.bias"},
        {"head.head.weight", "proj_out.weight"}, {"head.head.bias", "proj_out.bias"},
        {"head.modulation", "scale_shift_table"},
    };

    /** The DiT key list of §2.2 for a model with {@code blocks} blocks, in one convention (0 official, 1 diffusers). */
    private static List<String> ditKeys(int blocks, int convention) {
        List<String> keys = new ArrayList<>();
        for (String[] k : TOP_KEYS) {
            keys.add(k[convention]);
        }
        for (int i = 0; i < blocks; i++) {
            for (String[] k : BLOCK_KEYS) {
                keys.add("blocks." + i + "." + k[convention]);
            }
        }
        return keys;
    }

    /** diffusers AutoencoderKLWan decoder keys (a representative subset). */
    private static final List<String> DIFFUSERS_VAE = List.of("post_quant_conv.weight", "post_quant_conv.bias",
            "decoder.conv_in.weight", "decoder.conv_in.bias", "decoder.mid_block.resnets.0.norm1.gamma",
            "decoder.mid_block.resnets.0.conv1.weight", "decoder.mid_block.attentions.0.to_qkv.weight",
            "decoder.up_blocks.0.resnets.0.conv2.weight", "decoder.up_blocks.0.upsamplers.0.resample.1.weight",
            "decoder.up_blocks.0.upsamplers.0.time_conv.weight", "decoder.norm_out.gamma", "decoder.conv_out.weight",
            "quant_conv.weight", "encoder.conv_in.weight", "encoder.down_blocks.0.resnets.0.conv1.weight");

    /** transformers UMT5EncoderModel keys. */
    private static final List<String> HF_UMT5 = List.of("shared.weight", "encoder.embed_tokens.weight",
            "encoder.block.0.layer.0.SelfAttention.q.weight", "encoder.block.0.layer.0.SelfAttention.k.weight",
            "encoder.block.0.layer.0.SelfAttention.v.weight", "encoder.block.0.layer.0.SelfAttention.o.weight",
            "encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight",
            "encoder.block.0.layer.0.layer_norm.weight", "encoder.block.0.layer.1.DenseReluDense.wi_0.weight",
            "encoder.block.0.layer.1.DenseReluDense.wi_1.weight", "encoder.block.0.layer.1.DenseReluDense.wo.weight",
            "encoder.block.0.layer.1.layer_norm.weight", "encoder.final_layer_norm.weight");

    @ParameterizedTest
    @ValueSource(strings = {"wan-dit-tiny.safetensors", "wan-vae-tiny.safetensors", "t5-tiny.safetensors"})
    void officialFixturesAreDetectedAndNoKeyVotesDiffusers(String fixture) throws IOException {
        try (WeightStore s = WeightStore.open(Fixtures.path(fixture))) {
            assertEquals(WeightFormat.WAN_OFFICIAL, WeightFormat.detect(s.names()));
            for (String n : s.names()) {
                assertNotEquals(WeightFormat.DIFFUSERS, WeightFormat.classify(n), n);
            }
        }
    }

    @Test
    void testCaseFilesHaveNoModelNaming() throws IOException {
        try (WeightStore s = WeightStore.open(Fixtures.path("t5-tiny-cases.safetensors"))) {
            assertEquals(WeightFormat.UNKNOWN, WeightFormat.detect(s.names()));
        }
    }

    @Test
    void specTableKeysVoteOnlyForTheirOwnSide() {
        for (int i = 0; i < 2; i++) {
            WeightFormat own = i == 0 ? WeightFormat.WAN_OFFICIAL : WeightFormat.DIFFUSERS;
            WeightFormat other = i == 0 ? WeightFormat.DIFFUSERS : WeightFormat.WAN_OFFICIAL;
            for (String n : ditKeys(2, i)) {
                assertNotEquals(other, WeightFormat.classify(n), n);
            }
            assertEquals(own, WeightFormat.detect(ditKeys(30, i)));
        }
        // Shared by both conventions, so neither vote.
        assertEquals(WeightFormat.UNKNOWN, WeightFormat.classify("patch_embedding.weight"));
    }

    @Test
    void diffusersVaeAndTransformersT5() {
        assertEquals(WeightFormat.DIFFUSERS, WeightFormat.detect(DIFFUSERS_VAE));
        assertEquals(WeightFormat.DIFFUSERS, WeightFormat.detect(HF_UMT5));
        for (String n : DIFFUSERS_VAE) {
            assertEquals(WeightFormat.DIFFUSERS, WeightFormat.classify(n), n);
        }
        for (String n : HF_UMT5) {
            assertEquals(WeightFormat.DIFFUSERS, WeightFormat.classify(n), n);
        }
    }

    @Test
    void majorityDecidesAndTiesAreUnknown() {
        assertEquals(WeightFormat.UNKNOWN, WeightFormat.detect(List.of()));
        assertEquals(WeightFormat.UNKNOWN, WeightFormat.detect(List.of("foo", "bar.weight")));
        assertEquals(WeightFormat.UNKNOWN, WeightFormat.detect(List.of("head.modulation", "proj_out.weight")));
        List<String> mixed = new ArrayList<>(ditKeys(1, 1));
        mixed.addAll(List.of("blocks.0.self_attn.q.weight", "decoder.conv1.weight", "extra"));
        assertEquals(WeightFormat.DIFFUSERS, WeightFormat.detect(mixed));
    }

    @Test
    void labels() {
        assertEquals("wan-official", WeightFormat.WAN_OFFICIAL.label());
        assertEquals("diffusers", WeightFormat.DIFFUSERS.label());
        assertEquals("unknown", WeightFormat.UNKNOWN.label());
    }
}
