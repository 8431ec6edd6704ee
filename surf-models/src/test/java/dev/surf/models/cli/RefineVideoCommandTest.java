package dev.surf.models.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Shape;
import dev.surf.core.safetensors.SafetensorsFile;
import dev.surf.core.safetensors.SafetensorsWriter;
import dev.surf.core.safetensors.WeightStore;
import dev.surf.core.testing.Fixtures;
import dev.surf.models.video.Clips;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * surf refine --video end to end with the embedded tiny models and the tiny VAE (both halves in one
 * file, as Wan2.1_VAE.pth holds them): a drawn clip is encoded, refined to a larger size and decoded.
 * Random weights: this checks the plumbing and shapes, not the pictures.
 */
class RefineVideoCommandTest {
    @TempDir
    Path dir;

    private Path bothHalves() throws Exception {
        Map<String, float[]> arrays = new LinkedHashMap<>();
        Map<String, Shape> shapes = new LinkedHashMap<>();
        for (String f : new String[] {"wan-vae-enc-tiny.safetensors", "wan-vae-tiny.safetensors"}) {
            try (WeightStore s = WeightStore.open(Fixtures.path(f))) {
                for (String n : s.names()) {
                    arrays.put(n, s.data(n).toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN)));
                    shapes.put(n, s.info(n).shape());
                }
            }
        }
        Path file = dir.resolve("vae.safetensors");
        SafetensorsWriter.writeFloats(file, arrays, shapes, null);
        return file;
    }

    @Test
    void aDrawnClipIsEncodedRefinedAndDecoded() throws Exception {
        Path clip = Clips.pngFolder(dir.resolve("clip"), 5, 64, 64);
        Path out = dir.resolve("out");
        CliRun r = CliRun.of("refine", "--video", clip.toString(), "--vae", bothHalves().toString(), "--refine-to", "128x128",
                "--refine-steps", "2", "--device", "cpu:2", "--output", out.toString());
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.err().contains("latent [16, 2, 8, 8]"), r.err());
        try (SafetensorsFile f = SafetensorsFile.open(out.resolve("refined-clip-128x128.safetensors"))) {
            assertEquals(Shape.of(16, 2, 16, 16), f.info("latent").shape());
        }
        Path mp4 = out.resolve("refined-clip-128x128.mp4");
        Path frames = out.resolve("refined-clip-128x128_frames");
        assertTrue(Files.exists(mp4) || Files.isDirectory(frames), r.out());
        assertTrue(r.out().contains("vae decode"), r.out());
    }

    @Test
    void previewAndVideoTogetherOrVideoWithoutVaeAreRefused() throws Exception {
        Path clip = Clips.pngFolder(dir.resolve("c"), 1, 32, 32);
        CliRun both = CliRun.of("refine", "--video", clip.toString(), "--preview", clip.toString(), "--refine-to", "64x64");
        assertEquals(2, both.code());
        assertTrue(both.err().contains("exactly one of --preview"), both.err());
        CliRun noVae = CliRun.of("refine", "--video", clip.toString(), "--refine-to", "64x64");
        assertEquals(2, noVae.code());
        assertTrue(noVae.err().contains("--video needs --vae"), noVae.err());
    }
}
