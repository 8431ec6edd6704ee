package dev.surf.models.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Shape;
import dev.surf.core.safetensors.SafetensorsFile;
import dev.surf.core.safetensors.SafetensorsWriter;
import dev.surf.core.testing.Fixtures;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** surf vae-decode end to end on the tiny VAE, and its messages for wrong inputs. */
class VaeDecodeCommandTest {
    @TempDir
    Path dir;

    private record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        CommandLine cl = new CommandLine(new SurfCli());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            // the same handler SurfCli.execute installs
            cmd.getErr().println("surf " + cmd.getCommandName() + ": error: " + e.getMessage());
            cmd.getErr().flush();
            return e instanceof IllegalArgumentException || e instanceof java.io.IOException
                    || e instanceof SurfCli.UserException ? 2 : 1;
        });
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
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
        Result r = run("vae-decode", "--vae", vae(), "--latent", in.toString(), "--output", out.toString(),
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
        Result missing = run("vae-decode", "--vae", vae(), "--latent", latent("x", 16, 1, 2, 2).toString(), "--output", out.toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("lacks tensor 'z'") && missing.err().contains("x"), missing.err());

        Result channels = run("vae-decode", "--vae", vae(), "--latent", latent("z", 12, 1, 2, 2).toString(), "--output", out.toString());
        assertEquals(2, channels.code());
        assertTrue(channels.err().contains("12 channels"), channels.err());

        Result rank = run("vae-decode", "--vae", vae(), "--latent", latent("z", 16, 2, 2).toString(), "--output", out.toString());
        assertEquals(2, rank.code());
        assertTrue(rank.err().contains("expected [16, T, h, w]"), rank.err());

        Result noVae = run("vae-decode", "--vae", dir.resolve("none.pth").toString(), "--latent",
                latent("z", 16, 1, 2, 2).toString(), "--output", out.toString());
        assertEquals(2, noVae.code());
        assertTrue(noVae.err().contains("none.pth"), noVae.err());
        assertTrue(!Files.exists(out), "no output after a failure");
    }
}
