package dev.surf.models.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.safetensors.SafetensorsFile;
import dev.surf.core.safetensors.SafetensorsWriter;
import dev.surf.core.testing.Fixtures;
import dev.surf.core.testing.Numerics;
import dev.surf.core.testing.TorchZipWriter;
import dev.surf.core.safetensors.WeightStore;
import dev.surf.models.t5.TinyTokenizer;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * surf encode-text on the tiny T5 (token ids from the conformance fixture, or prompts through a tiny
 * tokenizer), generate with a text encoder (explicit and found in the model folder), and the
 * messages for wrong inputs.
 */
class EncodeTextCommandTest {
    @TempDir
    Path dir;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    private static String t5() {
        return Fixtures.path("t5-tiny.safetensors").toString();
    }

    /** ids and mask of fixture case c as an I64 safetensors file; the mask may be replaced. */
    private Path ids(String c, long[] maskOverride) throws Exception {
        Path f = dir.resolve("ids-" + c + ".safetensors");
        try (SafetensorsFile cases = SafetensorsFile.open(Fixtures.path("t5-tiny-cases.safetensors")); CpuBackend be = new CpuBackend(1)) {
            MemorySegment mask = maskOverride == null ? cases.data(c + ".mask") : MemorySegment.ofArray(maskOverride);
            try (Tensor i = be.fromBytes(DType.I64, cases.info(c + ".ids").shape(), cases.data(c + ".ids"));
                 Tensor m = be.fromBytes(DType.I64, cases.info(c + ".mask").shape(), mask)) {
                SafetensorsWriter.write(f, new LinkedHashMap<>(Map.of("ids", i, "mask", m)), null);
            }
        }
        return f;
    }

    private static float[] floats(SafetensorsFile f, String name) throws Exception {
        return f.data(name).toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
    }

    @Test
    void tokenIdsGiveTheOfficialContext() throws Exception {
        Path out = dir.resolve("ctx.safetensors");
        CliRun r = run("encode-text", "--t5", t5(), "--ids", ids("a", null).toString(), "--output", out.toString(), "--device", "cpu:1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("context [13, 64]"), r.out());
        try (SafetensorsFile f = SafetensorsFile.open(out); SafetensorsFile cases = SafetensorsFile.open(Fixtures.path("t5-tiny-cases.safetensors"))) {
            assertEquals(Shape.of(13, 64), f.info("context").shape());
            assertFalse(f.has("context_null"), "no tokenizer, no negative prompt");
            double err = Numerics.relError(floats(f, "context"), floats(cases, "a.context"));
            assertTrue(err < 1e-4, "context rel. error " + err);
        }
    }

    @Test
    void promptsGoThroughTheTokenizerWithTheDefaultNegativePrompt() throws Exception {
        Path tok = TinyTokenizer.write(dir.resolve("umt5"));
        Path out = dir.resolve("ctx.safetensors");
        CliRun r = run("encode-text", "--t5", t5(), "--tokenizer", tok.toString(), "--prompt", "a corgi surfing a wave",
                "--output", out.toString(), "--device", "cpu:1");
        assertEquals(0, r.code(), r.err());
        try (SafetensorsFile f = SafetensorsFile.open(out)) {
            assertEquals(Shape.of(7, 64), f.info("context").shape(), "6 pieces + EOS");
            assertTrue(f.has("context_null"));
            assertTrue(f.metadata().get("negative_prompt").startsWith("\u8272\u8c03\u8273\u4e3d"), "the official default");
        }
        CliRun empty = run("encode-text", "--t5", t5(), "--tokenizer", tok.toString(), "--prompt", "", "--negative-prompt", "a wave",
                "--output", out.toString(), "--device", "cpu:1");
        assertEquals(0, empty.code(), empty.err());
        try (SafetensorsFile f = SafetensorsFile.open(out)) {
            assertEquals(Shape.of(1, 64), f.info("context").shape(), "the empty prompt is EOS alone");
            assertEquals(Shape.of(3, 64), f.info("context_null").shape());
        }
    }

    @Test
    void wrongInputsGetOneClearLine() throws Exception {
        Path out = dir.resolve("o.safetensors");
        Path tok = TinyTokenizer.write(dir.resolve("umt5"));
        CliRun noTok = run("encode-text", "--t5", t5(), "--prompt", "x", "--output", out.toString());
        assertEquals(2, noTok.code());
        assertTrue(noTok.err().contains("--prompt needs --tokenizer"), noTok.err());

        CliRun noT5 = run("encode-text", "--t5", dir.resolve("none.pth").toString(), "--tokenizer", tok.toString(), "--prompt", "x",
                "--output", out.toString(), "--device", "cpu:1");
        assertEquals(2, noT5.code(), noT5.err());
        assertTrue(noT5.err().contains("none.pth"), noT5.err());

        long[] holes = new long[20];
        holes[0] = 1;
        holes[2] = 1;
        CliRun badMask = run("encode-text", "--t5", t5(), "--ids", ids("a", holes).toString(), "--output", out.toString());
        assertEquals(2, badMask.code());
        assertTrue(badMask.err().contains("ones then zeros"), badMask.err());

        CliRun both = run("encode-text", "--t5", t5(), "--ids", ids("a", null).toString(), "--prompt", "x", "--output", out.toString());
        assertEquals(2, both.code(), "picocli rejects --prompt with --ids");
        assertTrue(both.err().contains("mutually exclusive"), both.err());

        CliRun noVocab = run("encode-text", "--t5", Fixtures.path("wan-vae-tiny.safetensors").toString(), "--tokenizer", tok.toString(),
                "--prompt", "x", "--output", out.toString(), "--device", "cpu:1");
        assertEquals(2, noVocab.code());
        assertTrue(noVocab.err().contains("umT5 encoder checkpoint"), noVocab.err());
        assertFalse(Files.exists(out), "no output after a failure");
    }

    @Test
    void generateEncodesThePromptWithTheTinyModel() throws Exception {
        Path tok = TinyTokenizer.write(dir.resolve("umt5"));
        CliRun r = run("generate", "--t5", t5(), "--tokenizer", tok.toString(), "--prompt", "a corgi surfing a wave",
                "--negative-prompt", "a wave", "--size", "32x32", "--frames", "5", "--steps", "2", "--video", "none",
                "--device", "cpu:1", "--output", dir.resolve("gen").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.exists(dir.resolve("gen/latent-42.safetensors")));
    }

    @Test
    void generateFindsTheEncoderInTheModelFolder() throws Exception {
        Path model = Files.createDirectories(dir.resolve("Wan2.1-T2V-tiny"));
        Files.copy(Fixtures.path("wan-dit-tiny.safetensors"), model.resolve("diffusion_pytorch_model.safetensors"));
        writePth(model.resolve("models_t5_umt5-xxl-enc-bf16.pth"));
        TinyTokenizer.write(model.resolve("google/umt5-xxl"));
        CliRun r = run("generate", "--model", model.toString(), "--prompt", "a corgi", "--size", "32x32", "--frames", "5",
                "--steps", "1", "--video", "none", "--device", "cpu:1", "--output", dir.resolve("gen").toString());
        // the fixture DiT reads text of width 96 and the tiny T5 writes 64: the found encoder ran, and the mismatch is named
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("width 64 does not match the model's text_dim 96"), r.err());

        Files.delete(model.resolve("models_t5_umt5-xxl-enc-bf16.pth"));
        CliRun half = run("generate", "--model", model.toString(), "--prompt", "a corgi", "--device", "cpu:1",
                "--output", dir.resolve("gen").toString());
        assertEquals(2, half.code());
        assertTrue(half.err().contains("needs the encoder weights too"), half.err());
    }

    /** The tiny T5 as a torch.save archive under the official file name. */
    private static void writePth(Path file) throws Exception {
        try (WeightStore store = WeightStore.open(Fixtures.path("t5-tiny.safetensors"))) {
            TorchZipWriter.writeStateDict(store, file);
        }
    }
}
