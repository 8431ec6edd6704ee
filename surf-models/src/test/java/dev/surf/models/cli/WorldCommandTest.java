package dev.surf.models.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.models.video.FfmpegMp4Writer;
import dev.surf.models.world.ClipRenderer;
import dev.surf.models.world.WorldClip;
import dev.surf.models.world.WorldPrompt;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code surf world} and {@code surf check} end to end: files, captions, refusals and exit codes. */
class WorldCommandTest {
    @TempDir
    Path dir;

    private static List<String> listing(Path d) throws Exception {
        try (Stream<Path> s = Files.walk(d)) {
            return s.map(p -> d.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void writesClipsAndCaptionsThatTheCheckerAccepts() throws Exception {
        Path out = dir.resolve("world");
        CliRun run = CliRun.of("world", "--count", "3", "--size", "48x32", "--seed", "5", "--output", out.toString());
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("wrote 3 clips of 48x32"), run.out());
        List<String> tsv = Files.readAllLines(out.resolve("captions.tsv"));
        assertEquals(4, tsv.size());
        assertEquals("name\tcaption\tseed\tindex", tsv.get(0));
        for (int i = 0; i < 3; i++) {
            WorldClip clip = WorldClip.draw(5, i, 48 / 32.0);
            assertEquals(String.format("clip-%05d\t%s\t5\t%d", i, clip.caption(), i), tsv.get(i + 1));
            Path folder = out.resolve(String.format("clip-%05d", i));
            try (Stream<Path> s = Files.list(folder)) {
                assertEquals(17, s.count());
            }
            // the PNG holds the renderer's bytes exactly
            BufferedImage img = ImageIO.read(folder.resolve("frame_00016.png").toFile());
            assertEquals(48, img.getWidth());
            assertEquals(32, img.getHeight());
            byte[] want = ClipRenderer.toRgb(ClipRenderer.frame(clip, 16, 48, 32), 48, 32);
            byte[] got = new byte[want.length];
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 48; x++) {
                    int rgb = img.getRGB(x, y);
                    int p = 3 * (y * 48 + x);
                    got[p] = (byte) (rgb >> 16);
                    got[p + 1] = (byte) (rgb >> 8);
                    got[p + 2] = (byte) rgb;
                }
            }
            assertArrayEquals(want, got);
            String caption = tsv.get(i + 1).split("\t")[1];
            CliRun check = CliRun.of("check", "--video", folder.toString(), "--prompt", caption);
            assertEquals(0, check.code(), check.out() + check.err());
            assertTrue(check.out().strip().endsWith("verdict: follows \"" + caption + "\""), check.out());
        }
        assertFalse(listing(dir).stream().anyMatch(n -> n.contains(".tmp") || n.startsWith(".")), listing(dir).toString());
    }

    @Test
    void checkExitsOneForAPromptTheVideoDoesNotFollow() throws Exception {
        Path out = dir.resolve("w");
        assertEquals(0, CliRun.of("world", "--count", "1", "--size", "64x64", "--output", out.toString()).code());
        WorldClip clip = WorldClip.draw(0, 0, 1);
        WorldPrompt truth = clip.prompt();
        WorldPrompt wrongDir = new WorldPrompt(truth.colour(), truth.shape(),
                truth.direction() == dev.surf.models.world.WorldVocabulary.Direction.LEFT
                        ? dev.surf.models.world.WorldVocabulary.Direction.RIGHT : dev.surf.models.world.WorldVocabulary.Direction.LEFT,
                null);
        CliRun r = CliRun.of("check", "--video", out.resolve("clip-00000").toString(), "--prompt", wrongDir.canonical());
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("motion: ") && r.out().contains("does not follow"), r.out());
        assertEquals(5, r.out().strip().lines().count(), r.out()); // colour, motion, background, shape, verdict
    }

    @Test
    void badInputIsOneLineAndExitTwoAndNothingIsWritten() throws Exception {
        Path out = dir.resolve("w");
        String[][] bad = {
            {"world", "--count", "2", "--size", "big", "--output", out.toString()},
            {"world", "--count", "2", "--size", "8x8", "--output", out.toString()},
            {"world", "--count", "2", "--size", "16x64", "--output", out.toString()},
            {"world", "--count", "0", "--output", out.toString()},
            {"world", "--count", "2", "--format", "gif", "--output", out.toString()},
            {"world", "--count", "2", "--output", dir.resolve("missing/w").toString()},
            {"check", "--video", dir.resolve("nothing").toString(), "--prompt", "a red circle moving left"},
            {"check", "--video", dir.toString(), "--prompt", "a pink circle moving left"},
            {"check", "--video", dir.toString(), "--prompt", "a red circle moving left"}, // a folder without frames
        };
        String[] words = {"--size", "--size", "--size", "--count", "--format", "--output", "nothing", "pink", "no frames"};
        for (int i = 0; i < bad.length; i++) {
            List<String> before = listing(dir);
            CliRun r = CliRun.of(bad[i]);
            String err = r.err().strip();
            assertEquals(2, r.code(), String.join(" ", bad[i]) + " -> " + err);
            assertEquals(1, err.lines().count(), String.join(" ", bad[i]) + " -> " + err);
            assertTrue(err.contains(words[i]), String.join(" ", bad[i]) + " -> " + err);
            assertFalse(err.contains("Exception") || err.contains("\tat "), err);
            assertEquals(before, listing(dir), String.join(" ", bad[i]) + " wrote files");
        }
    }

    @Test
    void refusesAnExistingOutputAndKeepsIt() throws Exception {
        Path out = Files.createDirectories(dir.resolve("w"));
        Path keep = Files.writeString(out.resolve("notes.txt"), "mine");
        CliRun r = CliRun.of("world", "--count", "1", "--size", "32x32", "--output", out.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--output") && r.err().contains("not empty"), r.err());
        assertEquals("mine", Files.readString(keep));
        assertEquals(List.of("", "notes.txt"), listing(out));
        Path file = Files.writeString(dir.resolve("f"), "x");
        assertEquals(2, CliRun.of("world", "--count", "1", "--output", file.toString()).code());
        assertEquals("x", Files.readString(file));
    }

    @Test
    void writesMp4WhenFfmpegExists() throws Exception {
        String ffmpeg = FfmpegMp4Writer.find();
        Assumptions.assumeTrue(ffmpeg != null, "no ffmpeg");
        Path out = dir.resolve("m");
        CliRun run = CliRun.of("world", "--count", "1", "--size", "64x64", "--seed", "2", "--format", "mp4", "--output", out.toString());
        assertEquals(0, run.code(), run.err());
        Path mp4 = out.resolve("clip-00000.mp4");
        assertTrue(Files.size(mp4) > 0);
        assertTrue(Files.readAllLines(out.resolve("captions.tsv")).get(1).startsWith("clip-00000.mp4\t"));
        CliRun check = CliRun.of("check", "--video", mp4.toString(), "--prompt", WorldClip.draw(2, 0, 1).caption());
        assertEquals(0, check.code(), check.out() + check.err());
    }
}
