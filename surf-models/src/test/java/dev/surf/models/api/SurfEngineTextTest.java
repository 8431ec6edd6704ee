package dev.surf.models.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.testing.Fixtures;
import dev.surf.models.pipeline.ProgressListener;
import dev.surf.models.pipeline.VideoSize;
import dev.surf.models.sched.SolverKind;
import dev.surf.models.t5.TinyTokenizer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine's text encoder: prompts to contexts the tiny DiT accepts, and the error without one. */
class SurfEngineTextTest {
    @TempDir
    Path dir;

    @Test
    void encodedPromptsDriveAGeneration() throws Exception {
        Path tok = TinyTokenizer.write(dir.resolve("umt5"));
        try (SurfEngine engine = SurfEngine.builder().device("cpu:1").tinyModels().noRefiner()
                .textEncoder(Fixtures.path("t5-tiny.safetensors"), tok).build()) {
            assertTrue(engine.hasTextEncoder());
            assertTrue(engine.describe().stream().anyMatch(l -> l.startsWith("text encoder: umT5 encoder")));
            TextEmbedding ctx = engine.encodeText("a corgi surfing a wave");
            assertEquals(7, ctx.rows(), "6 pieces + EOS");
            assertEquals(64, ctx.dim());
            assertArrayEquals(ctx.values(), engine.encodeText("  a   corgi surfing a wave ").values(), "cleaned alike");
            TextEmbedding neg = engine.encodeText("");
            assertEquals(1, neg.rows(), "the empty prompt is EOS alone");
            GenerationRequest r = new GenerationRequest(ctx, neg, new VideoSize(32, 32, 5), 3, 2, 5.0, 5.0,
                    SolverKind.UNIPC, null, null);
            GenerationResult res = engine.generate(r, ProgressListener.NONE, () -> false);
            assertEquals(16, res.latent().channels());
        }
    }

    @Test
    void withoutATextEncoderEncodingIsRefusedByName() throws Exception {
        try (SurfEngine engine = SurfEngine.builder().device("cpu:1").tinyModels().noRefiner().build()) {
            assertFalse(engine.hasTextEncoder());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> engine.encodeText("x"));
            assertTrue(e.getMessage().startsWith("encodeText"), e.getMessage());
        }
        Path tok = TinyTokenizer.write(dir.resolve("umt5"));
        IllegalArgumentException half = assertThrows(IllegalArgumentException.class,
                () -> SurfEngine.builder().device("cpu:1").tinyModels().textEncoder(null, tok).build());
        assertTrue(half.getMessage().contains("both"), half.getMessage());
    }
}
