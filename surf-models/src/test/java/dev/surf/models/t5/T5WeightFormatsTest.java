package dev.surf.models.t5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.safetensors.SafetensorsWriter;
import dev.surf.core.safetensors.WeightStore;
import dev.surf.core.testing.Fixtures;
import dev.surf.core.testing.TorchZipWriter;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tiny encoder from official safetensors, a transformers-named repack and a torch .pth gives
 * identical output; the rename follows spec/wan21.md §5.4's table.
 */
class T5WeightFormatsTest {
    private static CpuBackend be;
    private static WeightStore store;
    private static T5Fixture a;
    private static float[] reference;

    @TempDir
    static Path dir;

    @BeforeAll
    static void open() throws Exception {
        be = new CpuBackend(2);
        store = WeightStore.open(Fixtures.path("t5-tiny.safetensors"));
        a = T5Fixture.read("a");
        reference = encode(Fixtures.path("t5-tiny.safetensors"));
    }

    @AfterAll
    static void close() {
        store.close();
        be.close();
    }

    private static float[] encode(Path file) throws IOException {
        try (T5Encoder enc = T5Checkpoint.load(file, null, be); Tensor out = enc.forward(a.ids(), 1, new int[] {a.real()})) {
            assertEquals(new UmT5Config(300, 64, 64, 160, 4, 2, 32, false), enc.config());
            return be.toFloats(out);
        }
    }

    private static float[] floats(String name) throws IOException {
        return store.data(name).toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
    }

    @Test
    void transformersNamesFollowTheSpecTable() {
        UnaryOperator<String> r = T5Keys.toHf(Set.of("shared.weight")::contains);
        String[][] table = {
            {"token_embedding.weight", "shared.weight"},
            {"blocks.0.norm1.weight", "encoder.block.0.layer.0.layer_norm.weight"},
            {"blocks.3.attn.q.weight", "encoder.block.3.layer.0.SelfAttention.q.weight"},
            {"blocks.3.attn.k.weight", "encoder.block.3.layer.0.SelfAttention.k.weight"},
            {"blocks.3.attn.v.weight", "encoder.block.3.layer.0.SelfAttention.v.weight"},
            {"blocks.23.attn.o.weight", "encoder.block.23.layer.0.SelfAttention.o.weight"},
            {"blocks.7.pos_embedding.embedding.weight", "encoder.block.7.layer.0.SelfAttention.relative_attention_bias.weight"},
            {"blocks.1.norm2.weight", "encoder.block.1.layer.1.layer_norm.weight"},
            {"blocks.1.ffn.gate.0.weight", "encoder.block.1.layer.1.DenseReluDense.wi_0.weight"},
            {"blocks.1.ffn.fc1.weight", "encoder.block.1.layer.1.DenseReluDense.wi_1.weight"},
            {"blocks.1.ffn.fc2.weight", "encoder.block.1.layer.1.DenseReluDense.wo.weight"},
            {"norm.weight", "encoder.final_layer_norm.weight"},
        };
        for (String[] row : table) {
            assertEquals(row[1], r.apply(row[0]), row[0]);
        }
        assertEquals("encoder.embed_tokens.weight", T5Keys.toHf("token_embedding.weight",
                Set.of("encoder.embed_tokens.weight")::contains), "the tied table stored under its encoder name only");
    }

    @Test
    void transformersRepackEncodesIdentically() throws Exception {
        UnaryOperator<String> r = T5Keys.toHf(n -> true);
        Map<String, float[]> arrays = new LinkedHashMap<>();
        Map<String, Shape> shapes = new LinkedHashMap<>();
        for (String n : store.names()) {
            // the embedding under its encoder alias: the rename must find it without shared.weight
            String hf = n.equals("token_embedding.weight") ? "encoder.embed_tokens.weight" : r.apply(n);
            arrays.put(hf, floats(n));
            shapes.put(hf, store.info(n).shape());
        }
        Path file = dir.resolve("umt5_encoder.safetensors");
        SafetensorsWriter.writeFloats(file, arrays, shapes, null);
        assertArrayEquals(reference, encode(file));
    }

    @Test
    void torchPthCheckpointEncodesIdentically() throws Exception {
        Path file = TorchZipWriter.writeStateDict(store, dir.resolve("models_t5_umt5-xxl-enc-bf16.pth"));
        assertArrayEquals(reference, encode(file));
    }

    @Test
    void aCheckpointThatIsNoEncoderIsNamed() {
        IOException e = assertThrows(IOException.class, () -> T5Checkpoint.load(Fixtures.path("wan-vae-tiny.safetensors"), null, be));
        assertTrue(e.getMessage().contains("is this a umT5 encoder checkpoint"), e.getMessage());
        IOException missing = assertThrows(IOException.class, () -> T5Checkpoint.load(dir.resolve("absent.pth"), null, be));
        assertTrue(missing.getMessage().contains("absent.pth"), missing.getMessage());
    }
}
