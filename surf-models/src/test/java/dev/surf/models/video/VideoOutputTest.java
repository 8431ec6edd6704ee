package dev.surf.models.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.safetensors.SafetensorsFile;
import dev.surf.core.testing.Fixtures;
import dev.surf.core.testing.Numerics;
import dev.surf.models.vae.VaeCheckpoint;
import dev.surf.models.vae.WanVaeDecoder;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writing decoded video: pixel mapping, PNG frames, safetensors, MP4 through (a stand-in for) ffmpeg, previews. */
class VideoOutputTest {
    private static CpuBackend be;
    private static WanVaeDecoder vae;
    private static Tensor z;
    private static float[] video;
    private static final int FRAMES = 5;
    private static final int H = 16;
    private static final int W = 24;

    @TempDir
    Path dir;

    @BeforeAll
    static void decode() throws Exception {
        be = new CpuBackend(2);
        vae = VaeCheckpoint.load(Fixtures.path("wan-vae-tiny.safetensors"), null, be);
        z = be.fromFloats(Numerics.uniform(new SplittableRandom(9), 16 * 2 * 2 * 3, 2), Shape.of(16, 2, 2, 3));
        try (Tensor v = vae.decodeAll(z, true)) {
            assertEquals(Shape.of(3, FRAMES, H, W), v.shape());
            video = be.toFloats(v);
        }
    }

    @AfterAll
    static void close() {
        z.close();
        vae.close();
        be.close();
    }

    /** The expected interleaved RGB bytes of every frame, concatenated. */
    private static byte[] expectedRgb() {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int f = 0; f < FRAMES; f++) {
            all.writeBytes(Pixels.rgb(video, FRAMES, H, W, f));
        }
        return all.toByteArray();
    }

    @Test
    void pixelMappingIsTheOfficialOne() {
        assertEquals(0, Pixels.toByte(-1f));
        assertEquals(0, Pixels.toByte(-7f));
        assertEquals(255, Pixels.toByte(1f));
        assertEquals(255, Pixels.toByte(3f));
        assertEquals(127, Pixels.toByte(0f)); // 127.5 truncated, as .type(torch.uint8) does
        assertEquals(191, Pixels.toByte(0.5f)); // 191.25
        assertEquals(0, Pixels.toByte(Float.NaN));
        byte[] rgb = Pixels.rgb(new float[] {1f, -1f, 0f, 0.5f, -1f, 1f}, 1, 1, 2, 0);
        // channels-first [3, 1, 1, 2]: pixel 0 = (1, 0, -1), pixel 1 = (-1, 0.5, 1)
        assertArrayEquals(new byte[] {(byte) 255, 127, 0, 0, (byte) 191, (byte) 255}, rgb);
    }

    @Test
    void pngFramesHoldTheMappedPixels() throws Exception {
        Path out = dir.resolve("frames");
        String what = VideoOutput.decode(vae, z, out, 16, null, n -> { });
        assertTrue(what.contains("5 PNG frames"), what);
        List<Path> files;
        try (Stream<Path> s = Files.list(out)) {
            files = s.sorted().toList();
        }
        assertEquals(FRAMES, files.size());
        assertEquals("frame_00000.png", files.get(0).getFileName().toString());
        BufferedImage img = ImageIO.read(files.get(3).toFile());
        assertEquals(W, img.getWidth());
        assertEquals(H, img.getHeight());
        byte[] want = Pixels.rgb(video, FRAMES, H, W, 3);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int p = img.getRGB(x, y);
                int o = 3 * (y * W + x);
                assertEquals(want[o] & 0xff, (p >> 16) & 0xff);
                assertEquals(want[o + 1] & 0xff, (p >> 8) & 0xff);
                assertEquals(want[o + 2] & 0xff, p & 0xff);
            }
        }
        assertThrows(IOException.class, () -> VideoOutput.decode(vae, z, out, 16, null, n -> { }),
                "an existing, non-empty folder is not overwritten");
    }

    @Test
    void safetensorsOutputIsTheClampedVideo() throws Exception {
        Path out = dir.resolve("video.safetensors");
        VideoOutput.decode(vae, z, out, 16, null, n -> { });
        try (SafetensorsFile f = SafetensorsFile.open(out)) {
            assertEquals(Shape.of(3, FRAMES, H, W), f.info("video").shape());
            try (Tensor t = f.read(be, "video")) {
                assertArrayEquals(video, be.toFloats(t));
            }
        }
    }

    /** A stand-in ffmpeg: records its arguments and the raw frames it is fed, writes a marker as the output. */
    private Path fakeFfmpeg(int exit) throws IOException {
        Path script = dir.resolve("ffmpeg");
        Files.writeString(script, "#!/bin/sh\nprintf '%s\\n' \"$@\" > '" + dir.resolve("args") + "'\ncat > '"
                + dir.resolve("raw") + "'\nfor last; do :; done\necho encoded > \"$last\"\n"
                + (exit != 0 ? "echo 'Unknown encoder libx264' >&2\nexit " + exit + "\n" : ""));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    @Test
    void mp4FramesArePipedToFfmpegWithTheOfficialSettings() throws Exception {
        Path out = dir.resolve("clip.mp4");
        String what = VideoOutput.decode(vae, z, out, 16, fakeFfmpeg(0).toString(), n -> { });
        assertTrue(what.contains("H.264"), what);
        assertEquals("encoded", Files.readString(out).trim());
        assertArrayEquals(expectedRgb(), Files.readAllBytes(dir.resolve("raw")));
        String args = String.join(" ", Files.readAllLines(dir.resolve("args")));
        for (String part : new String[] {"-f rawvideo -pix_fmt rgb24 -s 24x16 -r 16.0 -i -", "-c:v libx264 -crf 10 -pix_fmt yuv420p",
            "-f mp4"}) {
            assertTrue(args.contains(part), "ffmpeg arguments lack '" + part + "': " + args);
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file is left");
        }
    }

    @Test
    void aRealFfmpegWritesAnMp4() throws Exception {
        String ffmpeg = FfmpegMp4Writer.find();
        org.junit.jupiter.api.Assumptions.assumeTrue(ffmpeg != null, "no ffmpeg on PATH or in SURF_FFMPEG: real encode not tested");
        Path out = dir.resolve("real.mp4");
        VideoOutput.decode(vae, z, out, 16, ffmpeg, n -> { });
        byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(out), 8);
        assertEquals("ftyp", new String(head, 4, 4, java.nio.charset.StandardCharsets.US_ASCII), "an ISO-BMFF (MP4) file");
    }

    @Test
    void aFailingFfmpegLeavesNoFileAndSaysWhy() throws Exception {
        Path out = dir.resolve("broken.mp4");
        IOException e = assertThrows(IOException.class, () -> VideoOutput.decode(vae, z, out, 16, fakeFfmpeg(3).toString(), n -> { }));
        assertTrue(e.getMessage().contains("exit code 3") && e.getMessage().contains("Unknown encoder"), e.getMessage());
        assertFalse(Files.exists(out));
    }

    @Test
    void withoutFfmpegAnMp4RequestFallsBackToPngFrames() throws Exception {
        Path out = dir.resolve("clip.mp4");
        List<String> notes = new ArrayList<>();
        VideoOutput.decode(vae, z, out, 16, null, notes::add);
        assertFalse(Files.exists(out));
        Path frames = dir.resolve("clip_frames");
        try (Stream<Path> s = Files.list(frames)) {
            assertEquals(FRAMES, s.count());
        }
        assertEquals(1, notes.size());
        assertTrue(notes.get(0).contains("no ffmpeg") && notes.get(0).contains("clip_frames"), notes.get(0));
    }

    @Test
    void latentPreviewUsesThePublishedFactors() throws Exception {
        float[] zero = LatentPreview.project(new float[16]);
        assertArrayEquals(new float[] {-0.1835f, -0.0868f, -0.3360f}, zero);
        float[] oneHot = new float[16];
        oneHot[2] = 1f;
        float[] rgb = LatentPreview.project(oneHot);
        assertArrayEquals(new float[] {0.3568f - 0.1835f, 0.2548f - 0.0868f, 0.1747f - 0.3360f}, rgb, 1e-7f);
        Path png = dir.resolve("preview.png");
        LatentPreview.writePng(be, z, 1, 8, png);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(W, img.getWidth());
        assertEquals(H, img.getHeight());
        // the block of latent pixel (1, 2) of frame 1
        float[] zv = be.toFloats(z);
        float[] px = new float[16];
        for (int c = 0; c < 16; c++) {
            px[c] = zv[(c * 2 + 1) * 6 + 1 * 3 + 2];
        }
        float[] want = LatentPreview.project(px);
        int p = img.getRGB(2 * 8 + 5, 1 * 8 + 7);
        assertEquals(Pixels.toByte(want[0]), (p >> 16) & 0xff);
        assertEquals(Pixels.toByte(want[1]), (p >> 8) & 0xff);
        assertEquals(Pixels.toByte(want[2]), p & 0xff);
    }
}
