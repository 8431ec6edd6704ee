package dev.surf.models.vae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.safetensors.SafetensorsWriter;
import dev.surf.core.safetensors.WeightStore;
import dev.surf.core.testing.Fixtures;
import dev.surf.core.testing.Numerics;
import dev.surf.core.testing.TorchZipWriter;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
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
 * The tiny encoder from official safetensors, a diffusers-named repack, a torch .pth, and one file
 * holding both halves (as Wan2.1_VAE.pth does): identical latents; the encoder rename against
 * spec/wan21.md §4.5.
 */
class VaeEncoderWeightFormatsTest {
    private static CpuBackend be;
    private static WeightStore enc;
    private static Tensor video;
    private static float[] reference;

    @TempDir
    static Path dir;

    @BeforeAll
    static void open() throws Exception {
        be = new CpuBackend(2);
        enc = WeightStore.open(Fixtures.path("wan-vae-enc-tiny.safetensors"));
        video = be.fromFloats(Numerics.uniform(new SplittableRandom(5), 3 * 5 * 8 * 16, 1), Shape.of(3, 5, 8, 16));
        reference = encode(Fixtures.path("wan-vae-enc-tiny.safetensors"));
    }

    @AfterAll
    static void close() {
        video.close();
        enc.close();
        be.close();
    }

    private static float[] encode(Path file) throws IOException {
        try (WanVaeEncoder vae = VaeCheckpoint.loadEncoder(file, null, be); Tensor mu = vae.encode(video)) {
            return be.toFloats(mu);
        }
    }

    private static void collect(WeightStore s, UnaryOperator<String> rename, Map<String, float[]> arrays,
                                Map<String, Shape> shapes) throws IOException {
        for (String n : s.names()) {
            arrays.put(rename.apply(n), s.data(n).toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN)));
            shapes.put(rename.apply(n), s.info(n).shape());
        }
    }

    @Test
    void diffusersEncoderNamesFollowTheSpecTable() {
        UnaryOperator<String> r = VaeKeys.toDiffusers(WanVaeConfig.WAN21);
        String[][] table = {
            {"conv1.weight", "quant_conv.weight"},
            {"encoder.conv1.bias", "encoder.conv_in.bias"},
            {"encoder.downsamples.0.residual.0.gamma", "encoder.down_blocks.0.norm1.gamma"},
            {"encoder.downsamples.3.shortcut.weight", "encoder.down_blocks.3.conv_shortcut.weight"},
            {"encoder.downsamples.5.time_conv.weight", "encoder.down_blocks.5.time_conv.weight"},
            {"encoder.downsamples.2.resample.1.bias", "encoder.down_blocks.2.resample.1.bias"},
            {"encoder.downsamples.10.residual.6.weight", "encoder.down_blocks.10.conv2.weight"},
            {"encoder.middle.1.proj.bias", "encoder.mid_block.attentions.0.proj.bias"},
            {"encoder.middle.2.residual.3.gamma", "encoder.mid_block.resnets.1.norm2.gamma"},
            {"encoder.head.0.gamma", "encoder.norm_out.gamma"},
            {"encoder.head.2.weight", "encoder.conv_out.weight"},
        };
        for (String[] row : table) {
            assertEquals(row[1], r.apply(row[0]), row[0]);
        }
    }

    @Test
    void diffusersRepackEncodesIdentically() throws Exception {
        Map<String, float[]> arrays = new LinkedHashMap<>();
        Map<String, Shape> shapes = new LinkedHashMap<>();
        collect(enc, VaeKeys.toDiffusers(WanVaeConfig.WAN21), arrays, shapes);
        Path file = dir.resolve("diffusers_vae.safetensors");
        SafetensorsWriter.writeFloats(file, arrays, shapes, null);
        assertArrayEquals(reference, encode(file));
    }

    @Test
    void torchPthCheckpointEncodesIdentically() throws Exception {
        Path file = TorchZipWriter.writeStateDict(enc, dir.resolve("Wan2.1_VAE.pth"));
        assertArrayEquals(reference, encode(file));
    }

    @Test
    void oneFileWithBothHalvesOpensAsEncoderAndDecoder() throws Exception {
        Map<String, float[]> arrays = new LinkedHashMap<>();
        Map<String, Shape> shapes = new LinkedHashMap<>();
        collect(enc, UnaryOperator.identity(), arrays, shapes);
        try (WeightStore dec = WeightStore.open(Fixtures.path("wan-vae-tiny.safetensors"))) {
            collect(dec, UnaryOperator.identity(), arrays, shapes);
        }
        Path file = dir.resolve("both.safetensors");
        SafetensorsWriter.writeFloats(file, arrays, shapes, null);
        assertArrayEquals(reference, encode(file));
        try (WanVaeDecoder d = VaeCheckpoint.load(file, null, be); Tensor mu = be.fromFloats(reference, Shape.of(16, 2, 1, 2));
             Tensor v = d.decodeAll(mu, true)) {
            assertArrayEquals(new int[] {3, 5, 8, 16}, v.shape().dims());
        }
    }
}
