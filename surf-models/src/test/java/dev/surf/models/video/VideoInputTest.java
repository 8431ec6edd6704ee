package dev.surf.models.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Shape;
import dev.surf.core.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Video reading: frame folders, tensors and (when ffmpeg is present) MP4 / MOV / WebM files give the
 * drawn frames; resize and crop; the 1 + 4n frame rule; fps resampling; bad inputs fail with one line
 * naming the file.
 */
class VideoInputTest {
    @TempDir
    Path dir;

    private static List<float[]> all(VideoInput in) throws IOException {
        List<float[]> frames = new ArrayList<>();
        for (float[][] c = in.nextChunk(); c != null; c = in.nextChunk()) {
            frames.addAll(List.of(c));
        }
        return frames;
    }

    private static String ffmpegOrSkip() {
        String f = FfmpegMp4Writer.find();
        Assumptions.assumeTrue(f != null, "no ffmpeg ($SURF_FFMPEG or PATH): video-file tests skipped");
        return f;
    }

    private static void assertOneLineNaming(Exception e, Path file) {
        System.out.println("error: " + e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void aFrameFolderIsReadInNaturalOrderAndTrimmedToOnePlusFourN() throws Exception {
        Path f = Clips.pngFolder(dir.resolve("clip"), 12, 32, 16);
        try (VideoInput in = VideoInput.open(f, VideoInput.Request.SOURCE, null)) {
            List<float[]> frames = all(in);
            assertEquals(9, frames.size(), "12 frames -> 9 = 1 + 4 * 2");
            for (int t = 0; t < 9; t++) {
                assertArrayEquals(Clips.expected(t, 32, 16), frames.get(t), "frame " + t + " (frame_10 sorts after frame_9)");
            }
            assertTrue(in.notes().toString().contains("dropped the last 3 frames"), in.notes().toString());
        }
    }

    @Test
    void askingForMoreFramesThanThereArePadsWithTheLastFrame() throws Exception {
        Path f = Clips.pngFolder(dir.resolve("short"), 3, 16, 16);
        try (VideoInput in = VideoInput.open(f, new VideoInput.Request(0, 0, 9, 0), null)) {
            List<float[]> frames = all(in);
            assertEquals(9, frames.size());
            for (int t = 2; t < 9; t++) {
                assertArrayEquals(Clips.expected(2, 16, 16), frames.get(t));
            }
            assertTrue(in.notes().toString().contains("repeated the last one 6 times"), in.notes().toString());
        }
        try (VideoInput in = VideoInput.open(Clips.pngFolder(dir.resolve("long"), 12, 16, 16), new VideoInput.Request(0, 0, 5, 0), null)) {
            assertEquals(5, all(in).size());
        }
    }

    @Test
    void oddSizesAreCentreCroppedToMultiplesOfSixteen() throws Exception {
        Path f = Clips.pngFolder(dir.resolve("odd"), 1, 37, 21);
        try (VideoInput in = VideoInput.open(f, VideoInput.Request.SOURCE, null)) {
            assertEquals(32, in.width());
            assertEquals(16, in.height());
            float[] got = in.nextChunk()[0];
            float[] full = Clips.expected(0, 37, 21);
            // offsets floor((37 - 32) / 2) = 2 and floor((21 - 16) / 2) = 2
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 16; y++) {
                    for (int x = 0; x < 32; x++) {
                        assertEquals(full[(c * 21 + y + 2) * 37 + x + 2], got[(c * 16 + y) * 32 + x]);
                    }
                }
            }
            assertTrue(in.notes().get(0).contains("centre-cropped to 32x16"));
        }
        Path tiny = Clips.pngFolder(dir.resolve("tiny"), 1, 8, 8);
        IOException e = assertThrows(IOException.class, () -> VideoInput.open(tiny, VideoInput.Request.SOURCE, null));
        assertTrue(e.getMessage().contains("smaller than 16x16"), e.getMessage());
    }

    @Test
    void resizingReproducesALinearRampExactly() {
        // bilinear sampling reproduces a linear function wherever no edge clamp is involved
        int w = 8;
        int h = 4;
        float[] f = new float[3 * w * h];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    f[(c * h + y) * w + x] = 0.1f * x + 0.05f * y + c;
                }
            }
        }
        float[] out = FrameFit.fit(f, w, h, 16, 8);
        for (int y = 1; y < 7; y++) {
            for (int x = 1; x < 15; x++) {
                double u = (x + 0.5) / 2 - 0.5;
                double v = (y + 0.5) / 2 - 0.5;
                assertEquals(0.1 * u + 0.05 * v + 2, out[(2 * 8 + y) * 16 + x], 1e-5, "at " + x + "," + y);
            }
        }
    }

    @Test
    void framesOfMixedSizesAndUnreadableFramesNameTheFile() throws Exception {
        Path f = Clips.pngFolder(dir.resolve("mixed"), 5, 32, 16);
        Files.delete(f.resolve("frame_3.png"));
        javax.imageio.ImageIO.write(Clips.image(3, 16, 16), "png", f.resolve("frame_3.png").toFile());
        try (VideoInput in = VideoInput.open(f, VideoInput.Request.SOURCE, null)) {
            in.nextChunk();
            IOException e = assertThrows(IOException.class, in::nextChunk);
            assertOneLineNaming(e, f.resolve("frame_3.png"));
            assertTrue(e.getMessage().contains("16x16"), e.getMessage());
        }
        Path broken = Clips.pngFolder(dir.resolve("broken"), 1, 16, 16);
        Files.writeString(broken.resolve("frame_1.png"), "not a png");
        try (VideoInput in = VideoInput.open(broken, new VideoInput.Request(0, 0, 5, 0), null)) {
            in.nextChunk();
            IOException e = assertThrows(IOException.class, in::nextChunk);
            assertOneLineNaming(e, broken.resolve("frame_1.png"));
        }
        Path empty = Files.createDirectories(dir.resolve("empty"));
        IOException e = assertThrows(IOException.class, () -> VideoInput.open(empty, VideoInput.Request.SOURCE, null));
        assertOneLineNaming(e, empty);
        assertTrue(e.getMessage().contains("no frames"));
    }

    @Test
    void badRequestsNameTheFlag() throws Exception {
        Path f = Clips.pngFolder(dir.resolve("r"), 1, 16, 16);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> VideoInput.open(f, new VideoInput.Request(20, 16, 0, 0), null))
                .getMessage().startsWith("--size"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> VideoInput.open(f, new VideoInput.Request(0, 0, 6, 0), null))
                .getMessage().startsWith("--frames"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> VideoInput.open(f, new VideoInput.Request(0, 0, 0, 8), null))
                .getMessage().startsWith("--fps"));
    }

    @Test
    void aSafetensorsVideoIsReadFrameByFrame() throws Exception {
        int t = 5;
        float[] v = new float[3 * t * 16 * 32];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.sin(i * 0.37);
        }
        Path file = dir.resolve("clip.safetensors");
        SafetensorsWriter.writeFloats(file, Map.of("video", v), Map.of("video", Shape.of(3, t, 16, 32)), null);
        try (VideoInput in = VideoInput.open(file, VideoInput.Request.SOURCE, null)) {
            List<float[]> frames = all(in);
            assertEquals(t, frames.size());
            int plane = 16 * 32;
            for (int f = 0; f < t; f++) {
                for (int c = 0; c < 3; c++) {
                    for (int p = 0; p < plane; p++) {
                        assertEquals(v[(c * t + f) * plane + p], frames.get(f)[c * plane + p]);
                    }
                }
            }
        }
        Path wrong = dir.resolve("z.safetensors");
        SafetensorsWriter.writeFloats(wrong, Map.of("z", v), Map.of("z", Shape.of(3, t, 16, 32)), null);
        IOException e = assertThrows(IOException.class, () -> VideoInput.open(wrong, VideoInput.Request.SOURCE, null));
        assertOneLineNaming(e, wrong);
        assertTrue(e.getMessage().contains("lacks tensor 'video'"));
    }

    @Test
    void losslessMp4AndMovGiveTheDrawnFrames() throws Exception {
        String ffmpeg = ffmpegOrSkip();
        for (String name : new String[] {"clip.mp4", "clip.mov"}) {
            Path f = Clips.encode(ffmpeg, dir.resolve(name), 9, 48, 32, 16, "-c:v", "libx264rgb", "-crf", "0", "-pix_fmt", "rgb24");
            try (VideoInput in = VideoInput.open(f, VideoInput.Request.SOURCE, ffmpeg)) {
                List<float[]> frames = all(in);
                assertEquals(9, frames.size(), name);
                for (int t = 0; t < 9; t++) {
                    assertArrayEquals(Clips.expected(t, 48, 32), frames.get(t), name + " frame " + t);
                }
            }
        }
    }

    @Test
    void webmIsReadAndResized() throws Exception {
        String ffmpeg = ffmpegOrSkip();
        Path f = Clips.encode(ffmpeg, dir.resolve("clip.webm"), 5, 64, 48, 16, "-c:v", "libvpx-vp9", "-lossless", "1");
        try (VideoInput in = VideoInput.open(f, new VideoInput.Request(32, 16, 0, 0), ffmpeg)) {
            List<float[]> frames = all(in);
            assertEquals(5, frames.size());
            assertEquals(3 * 32 * 16, frames.get(0).length);
        }
    }

    @Test
    void fpsResamplingTakesTheNearestFrames() throws Exception {
        String ffmpeg = ffmpegOrSkip();
        Path f = Clips.encode(ffmpeg, dir.resolve("fps.mp4"), 18, 32, 16, 16, "-c:v", "libx264rgb", "-crf", "0", "-pix_fmt", "rgb24");
        try (VideoInput in = VideoInput.open(f, new VideoInput.Request(0, 0, 0, 8), ffmpeg)) {
            List<float[]> frames = all(in);
            assertEquals(9, frames.size(), "18 frames at 16 fps are 9 at 8 fps");
            for (int t = 0; t < 9; t++) {
                assertArrayEquals(Clips.expected(2 * t, 32, 16), frames.get(t), "8 fps frame " + t + " is 16 fps frame " + 2 * t);
            }
        }
    }

    @Test
    void badVideoFilesGiveOneLineNamingTheFile() throws Exception {
        String ffmpeg = ffmpegOrSkip();
        Path text = dir.resolve("notes.mp4");
        Files.writeString(text, "this is not a video\n");
        IOException e = assertThrows(IOException.class, () -> VideoInput.open(text, VideoInput.Request.SOURCE, ffmpeg));
        assertOneLineNaming(e, text);

        Path good = Clips.encode(ffmpeg, dir.resolve("good.mp4"), 9, 32, 16, 16, "-c:v", "libx264", "-pix_fmt", "yuv420p");
        byte[] bytes = Files.readAllBytes(good);
        Path cut = dir.resolve("cut.mp4");
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        e = assertThrows(IOException.class, () -> {
            try (VideoInput in = VideoInput.open(cut, VideoInput.Request.SOURCE, ffmpeg)) {
                all(in);
            }
        });
        assertOneLineNaming(e, cut);

        // moov atom in front (faststart): the index survives, the frame data is cut
        Path fast = Clips.encode(ffmpeg, dir.resolve("fast.mp4"), 33, 64, 48, 16, "-c:v", "libx264", "-pix_fmt", "yuv420p",
                "-movflags", "+faststart");
        bytes = Files.readAllBytes(fast);
        Path cutFast = dir.resolve("cut-fast.mp4");
        Files.write(cutFast, java.util.Arrays.copyOf(bytes, bytes.length * 6 / 10));
        e = assertThrows(IOException.class, () -> {
            try (VideoInput in = VideoInput.open(cutFast, VideoInput.Request.SOURCE, ffmpeg)) {
                all(in);
            }
        });
        assertOneLineNaming(e, cutFast);

        Path audio = dir.resolve("silence.mp4");
        Process p = new ProcessBuilder(ffmpeg, "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                "anullsrc=r=8000:cl=mono", "-t", "0.5", audio.toString()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor());
        e = assertThrows(IOException.class, () -> VideoInput.open(audio, VideoInput.Request.SOURCE, ffmpeg));
        assertOneLineNaming(e, audio);
        assertTrue(e.getMessage().contains("no video frames") || e.getMessage().contains("no frames"), e.getMessage());

        Path missing = dir.resolve("missing.mp4");
        e = assertThrows(IOException.class, () -> VideoInput.open(missing, VideoInput.Request.SOURCE, ffmpeg));
        assertOneLineNaming(e, missing);
    }
}
