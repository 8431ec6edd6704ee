package dev.surf.models.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.safetensors.SafetensorsFile;
import dev.surf.core.testing.Fixtures;
import dev.surf.models.vae.VaeCheckpoint;
import dev.surf.models.vae.WanVaeEncoder;
import dev.surf.models.video.Clips;
import dev.surf.models.video.FfmpegMp4Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * surf vae-encode end to end on the tiny VAE (encoder and decoder fixtures): a drawn clip encodes to
 * the latents the library computes from the same frames, and vae-decode takes them back to a video
 * of the clip's shape (random weights: plumbing, not quality); wrong inputs get one line.
 */
class VaeEncodeCommandTest {
    @TempDir
    Path dir;

    private static String enc() {
        return Fixtures.path("wan-vae-enc-tiny.safetensors").toString();
    }

    private static float[] clipTensor(int n, int w, int h) {
        int plane = w * h;
        float[] v = new float[3 * n * plane];
        for (int t = 0; t < n; t++) {
            float[] f = Clips.expected(t, w, h);
            for (int c = 0; c < 3; c++) {
                System.arraycopy(f, c * plane, v, (c * n + t) * plane, plane);
            }
        }
        return v;
    }

    @Test
    void aFrameFolderRoundTripsThroughEncodeAndDecode() throws Exception {
        Path clip = Clips.pngFolder(dir.resolve("clip"), 11, 48, 32);
        Path mu = dir.resolve("mu.safetensors");
        CliRun r = CliRun.of("vae-encode", "--vae", enc(), "--video", clip.toString(), "--output", mu.toString(), "--device", "cpu:1");
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("mu [16, 3, 4, 6]"), r.out());
        assertTrue(r.out().contains("dropped the last 2 frames"), r.out());
        try (CpuBackend be = new CpuBackend(1); SafetensorsFile f = SafetensorsFile.open(mu);
             WanVaeEncoder vae = VaeCheckpoint.loadEncoder(Fixtures.path("wan-vae-enc-tiny.safetensors"), null, be);
             Tensor video = be.fromFloats(clipTensor(9, 48, 32), Shape.of(3, 9, 32, 48));
             Tensor expected = vae.encode(video); Tensor got = f.read(be, "mu")) {
            assertArrayEquals(be.toFloats(expected), be.toFloats(got), "the command encodes what the library encodes");
        }
        Path back = dir.resolve("back.safetensors");
        CliRun d = CliRun.of("vae-decode", "--vae", Fixtures.path("wan-vae-tiny.safetensors").toString(), "--latent", mu.toString(),
                "--tensor", "mu", "--output", back.toString(), "--device", "cpu:1");
        assertEquals(0, d.code(), d.err());
        try (CpuBackend be = new CpuBackend(1); SafetensorsFile f = SafetensorsFile.open(back); Tensor v = f.read(be, "video")) {
            assertEquals(Shape.of(3, 9, 32, 48), v.shape());
            for (float x : be.toFloats(v)) {
                assertTrue(Float.isFinite(x) && x >= -1 && x <= 1);
            }
        }
        Path tiled = dir.resolve("tiled.safetensors");
        CliRun t = CliRun.of("vae-decode", "--vae", Fixtures.path("wan-vae-tiny.safetensors").toString(), "--latent", mu.toString(),
                "--tensor", "mu", "--output", tiled.toString(), "--tile", "--device", "cpu:1");
        assertEquals(0, t.code(), t.err());
        try (CpuBackend be = new CpuBackend(1); SafetensorsFile f = SafetensorsFile.open(tiled); Tensor v = f.read(be, "video")) {
            assertEquals(Shape.of(3, 9, 32, 48), v.shape(), "a forced tiled decode (one tile at this size) has the same shape");
        }
    }

    @Test
    void forcedTilingAndSizeAndFramesAreHonoured() throws Exception {
        Path clip = Clips.pngFolder(dir.resolve("c"), 3, 40, 40);
        Path mu = dir.resolve("t.safetensors");
        CliRun r = CliRun.of("vae-encode", "--vae", enc(), "--video", clip.toString(), "--output", mu.toString(), "--size", "64x32",
                "--frames", "5", "--tile", "--device", "cpu:1");
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("tiled") && r.out().contains("mu [16, 2, 4, 8]"), r.out());
        assertTrue(r.out().contains("repeated the last one 2 times"), r.out());
    }

    @Test
    void anMp4IsEncodedWhenFfmpegIsPresent() throws Exception {
        String ffmpeg = FfmpegMp4Writer.find();
        Assumptions.assumeTrue(ffmpeg != null, "no ffmpeg: MP4 input skipped");
        Path mp4 = Clips.encode(ffmpeg, dir.resolve("clip.mp4"), 5, 32, 32, 16, "-c:v", "libx264", "-pix_fmt", "yuv420p");
        Path mu = dir.resolve("m.safetensors");
        CliRun r = CliRun.of("vae-encode", "--vae", enc(), "--video", mp4.toString(), "--output", mu.toString(), "--device", "cpu:1");
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("mu [16, 2, 4, 4]"), r.out());
    }

    @Test
    void wrongInputsGetOneClearLine() throws Exception {
        Path clip = Clips.pngFolder(dir.resolve("w"), 1, 16, 16);
        Path out = dir.resolve("o.safetensors");
        CliRun size = CliRun.of("vae-encode", "--vae", enc(), "--video", clip.toString(), "--output", out.toString(), "--size", "30x16");
        assertEquals(2, size.code());
        assertTrue(size.err().contains("--size 30x16"), size.err());
        CliRun frames = CliRun.of("vae-encode", "--vae", enc(), "--video", clip.toString(), "--output", out.toString(), "--frames", "4");
        assertEquals(2, frames.code());
        assertTrue(frames.err().contains("--frames 4"), frames.err());
        CliRun kind = CliRun.of("vae-encode", "--vae", enc(), "--video", clip.toString(), "--output", dir.resolve("o.mp4").toString());
        assertEquals(2, kind.code());
        assertTrue(kind.err().contains("--output"), kind.err());
        Path text = dir.resolve("notes.mp4");
        Files.writeString(text, "hello");
        CliRun bad = CliRun.of("vae-encode", "--vae", enc(), "--video", text.toString(), "--output", out.toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains(text.toString()) && bad.err().strip().lines().count() == 1, bad.err());
        assertFalse(Files.exists(out), "nothing is written on failure");
    }
}
