package dev.surf.models.vae;

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
import dev.surf.core.testing.Numerics;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same tiny VAE from official safetensors, a diffusers-named repack and a torch .pth: identical
 * video; the rename checked against spec/wan21.md §4.5's table; config inference from shapes.
 */
class VaeWeightFormatsTest {
    private static CpuBackend be;
    private static WeightStore store;
    private static WanVaeConfig cfg;
    private static Tensor z;
    private static float[] reference;

    @TempDir
    static Path dir;

    @BeforeAll
    static void open() throws Exception {
        be = new CpuBackend(2);
        store = WeightStore.open(Fixtures.path("wan-vae-tiny.safetensors"));
        cfg = WanVaeConfig.fromJson(Fixtures.path("wan-vae-tiny.json"));
        z = be.fromFloats(Numerics.uniform(new SplittableRandom(3), 16 * 2 * 2 * 3, 2), Shape.of(16, 2, 2, 3));
        try (WanVaeDecoder vae = VaeCheckpoint.load(Fixtures.path("wan-vae-tiny.safetensors"), null, be);
             Tensor v = vae.decodeAll(z, true)) {
            assertEquals(cfg, vae.config(), "dim and z_dim inferred from the shapes");
            reference = be.toFloats(v);
        }
    }

    @AfterAll
    static void close() {
        z.close();
        store.close();
        be.close();
    }

    private static float[] decode(Path file) throws IOException {
        try (WanVaeDecoder vae = VaeCheckpoint.load(file, null, be); Tensor v = vae.decodeAll(z, true)) {
            return be.toFloats(v);
        }
    }

    private static float[] floats(String name) throws IOException {
        return store.data(name).toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN));
    }

    @Test
    void diffusersNamesFollowTheSpecTable() {
        UnaryOperator<String> r = VaeKeys.toDiffusers(WanVaeConfig.WAN21);
        String[][] table = {
            {"conv2.weight", "post_quant_conv.weight"},
            {"decoder.conv1.bias", "decoder.conv_in.bias"},
            {"decoder.middle.0.residual.0.gamma", "decoder.mid_block.resnets.0.norm1.gamma"},
            {"decoder.middle.2.residual.6.weight", "decoder.mid_block.resnets.1.conv2.weight"},
            {"decoder.middle.1.to_qkv.weight", "decoder.mid_block.attentions.0.to_qkv.weight"},
            {"decoder.upsamples.2.residual.3.gamma", "decoder.up_blocks.0.resnets.2.norm2.gamma"},
            {"decoder.upsamples.3.time_conv.weight", "decoder.up_blocks.0.upsamplers.0.time_conv.weight"},
            {"decoder.upsamples.4.shortcut.bias", "decoder.up_blocks.1.resnets.0.conv_shortcut.bias"},
            {"decoder.upsamples.7.resample.1.weight", "decoder.up_blocks.1.upsamplers.0.resample.1.weight"},
            {"decoder.upsamples.10.residual.2.weight", "decoder.up_blocks.2.resnets.2.conv1.weight"},
            {"decoder.upsamples.11.resample.1.bias", "decoder.up_blocks.2.upsamplers.0.resample.1.bias"},
            {"decoder.upsamples.14.residual.6.bias", "decoder.up_blocks.3.resnets.2.conv2.bias"},
            {"decoder.head.0.gamma", "decoder.norm_out.gamma"},
            {"decoder.head.2.weight", "decoder.conv_out.weight"},
        };
        for (String[] row : table) {
            assertEquals(row[1], r.apply(row[0]), row[0]);
        }
    }

    @Test
    void diffusersRepackDecodesIdentically() throws Exception {
        UnaryOperator<String> r = VaeKeys.toDiffusers(cfg);
        Map<String, float[]> arrays = new LinkedHashMap<>();
        Map<String, Shape> shapes = new LinkedHashMap<>();
        for (String n : store.names()) {
            arrays.put(r.apply(n), floats(n));
            shapes.put(r.apply(n), store.info(n).shape());
        }
        Path file = dir.resolve("diffusers_vae.safetensors");
        SafetensorsWriter.writeFloats(file, arrays, shapes, null);
        assertArrayEquals(reference, decode(file));
    }

    @Test
    void torchPthCheckpointDecodesIdentically() throws Exception {
        Path file = TorchZipWriter.writeStateDict(store, dir.resolve("Wan2.1_VAE.pth"));
        assertArrayEquals(reference, decode(file));
    }

    @Test
    void aCheckpointThatIsNoVaeIsNamed() throws Exception {
        IOException e = assertThrows(IOException.class, () -> VaeCheckpoint.load(Fixtures.path("wan-dit-tiny.safetensors"), null, be));
        assertTrue(e.getMessage().contains("is this a Wan VAE checkpoint"), e.getMessage());
    }
}
