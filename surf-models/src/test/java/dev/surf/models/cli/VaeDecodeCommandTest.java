package dev.surf.models.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Shape;
import dev.surf.core.safetensors.SafetensorsFile;
import dev.surf.core.safetensors.SafetensorsWriter;
import dev.surf.core.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** surf vae-decode end to end on the tiny VAE, and its messages for wrong inputs. */
class VaeDecodeCommandTest {
    @TempDir
    Path dir;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    private Path latent(String name, int... dims) throws Exception {
        Path f = dir.resolve(name + ".safetensors");
        Shape s = Shape.of(dims);
        float[] v = new float[(int) s.numel()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.sin(i * 0.37);
        }
        SafetensorsWriter.writeFloats(f, Map.of(name, v), Map.of(name, s), null);
        return f;
    }

    private String vae() {
        return Fixtures.path("wan-vae-tiny.safetensors").toString();
    }

    @Test
    void decodesToATensorAndAPreview() throws Exception {
        Path in = latent("z", 16, 2, 2, 3);
        Path out = dir.resolve("video.safetensors");
        Path preview = dir.resolve("preview.png");
        CliRun r = run("vae-decode", "--vae", vae(), "--latent", in.toString(), "--output", out.toString(),
                "--preview", preview.toString(), "--device", "cpu:1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("decoded [16, 2, 2, 3]"), r.out());
        assertTrue(Files.exists(preview));
        try (SafetensorsFile f = SafetensorsFile.open(out)) {
            assertEquals(Shape.of(3, 5, 16, 24), f.info("video").shape());
        }
    }

    @Test
    void wrongInputsGetOneClearLine() throws Exception {
        Path out = dir.resolve("o.safetensors");
        CliRun missing = run("vae-decode", "--vae", vae(), "--latent", latent("x", 16, 1, 2, 2).toString(), "--output", out.toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("lacks tensor 'z'") && missing.err().contains("x"), missing.err());

        CliRun channels = run("vae-decode", "--vae", vae(), "--latent", latent("z", 12, 1, 2, 2).toString(), "--output", out.toString());
        assertEquals(2, channels.code());
        assertTrue(channels.err().contains("12 channels"), channels.err());

        CliRun rank = run("vae-decode", "--vae", vae(), "--latent", latent("z", 16, 2, 2).toString(), "--output", out.toString());
        assertEquals(2, rank.code());
        assertTrue(rank.err().contains("expected [16, T, h, w]"), rank.err());

        CliRun noVae = run("vae-decode", "--vae", dir.resolve("none.pth").toString(), "--latent",
                latent("z", 16, 1, 2, 2).toString(), "--output", out.toString());
        assertEquals(2, noVae.code());
        assertTrue(noVae.err().contains("none.pth"), noVae.err());
        assertTrue(!Files.exists(out), "no output after a failure");
    }
}
