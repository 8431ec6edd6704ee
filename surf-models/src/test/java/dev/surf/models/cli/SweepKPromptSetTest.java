package dev.surf.models.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code surf sweep-k --prompt-set}: the CSV's rows and columns, the chart, and one-line errors for bad input. */
class SweepKPromptSetTest {
    @TempDir
    Path dir;

    private Path prompts(String... lines) throws Exception {
        return Files.write(dir.resolve("prompts.txt"), List.of(lines));
    }

    private static String[] sweep(Path set, Path out, String... more) {
        String[] base = {"sweep-k", "--prompt-set", set.toString(), "--size", "64x64", "--steps", "3", "--k", "1,2", "--guide", "1",
            "--device", "cpu:2", "--output", out.toString()};
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    @Test
    void writesOneRowPerKWithPixelAndCheckerColumns() throws Exception {
        Path set = prompts("# two prompts of the small world", "", "a red circle moving left", "  An ORANGE triangle   moving up on a gray background ");
        Path out = dir.resolve("out");
        CliRun run = CliRun.of(sweep(set, out));
        assertEquals(0, run.code(), run.err());
        assertTrue(run.err().contains("world text encoder"), run.err());
        List<String> csv = Files.readAllLines(out.resolve("sweep-k.csv"));
        assertEquals("k,samples,sample_s,decode_s,tflop,psnr_db,ssim,colour_pct,motion_pct,follows_pct", csv.get(0));
        assertEquals(4, csv.size(), String.join("\n", csv));
        for (int i = 1; i < 4; i++) {
            String[] f = csv.get(i).split(",");
            assertEquals(10, f.length, csv.get(i));
            assertEquals(String.valueOf(i), f[0]);
            assertEquals("2", f[1]);
            double pct = Double.parseDouble(f[7]);
            assertTrue(pct == 0 || pct == 50 || pct == 100, csv.get(i));
        }
        String[] baseline = csv.get(3).split(",");
        assertEquals("inf", baseline[5]);
        assertEquals(1.0, Double.parseDouble(baseline[6]), 1e-6);
        for (int i = 1; i < 3; i++) {
            String[] f = csv.get(i).split(",");
            assertTrue(Double.isFinite(Double.parseDouble(f[5])), csv.get(i));
            assertTrue(Double.parseDouble(f[4]) < Double.parseDouble(baseline[4]), "a preview costs fewer FLOPs: " + csv.get(i));
        }
        assertTrue(Files.size(out.resolve("sweep-k.png")) > 1000);
        List<String> samples = Files.readAllLines(out.resolve("sweep-k-samples.csv"));
        assertEquals("k,sample,seed,prompt,sample_s,decode_s,tflop,psnr_db,ssim,colour,motion,follows", samples.get(0));
        assertEquals(1 + 2 * 3, samples.size(), String.join("\n", samples));
        assertTrue(samples.stream().anyMatch(l -> l.contains(",\"An ORANGE triangle   moving up on a gray background\",")),
                String.join("\n", samples));
    }

    @Test
    void seedsRunFromTheGivenSeed() throws Exception {
        Path set = prompts("a green square moving right");
        Path out = dir.resolve("seeds");
        CliRun run = CliRun.of(sweep(set, out, "--seeds", "2", "--seed", "5"));
        assertEquals(0, run.code(), run.err());
        List<String> samples = Files.readAllLines(out.resolve("sweep-k-samples.csv"));
        assertEquals(1 + 2 * 3, samples.size(), String.join("\n", samples));
        List<String> seeds = samples.subList(1, samples.size()).stream().map(l -> l.split(",")[2]).sorted().toList();
        assertEquals(List.of("5", "5", "5", "6", "6", "6"), seeds);
        List<String> csv = Files.readAllLines(out.resolve("sweep-k.csv"));
        assertEquals(4, csv.size(), String.join("\n", csv));
        assertEquals("2", csv.get(1).split(",")[1]);
    }

    private void oneLineError(String[] args, String... needles) {
        Path out = Path.of(args[args.length - 1]);
        CliRun run = CliRun.of(args);
        assertEquals(2, run.code(), run.err());
        String err = run.err().strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.startsWith("surf sweep-k: error: "), err);
        for (String n : needles) {
            assertTrue(err.contains(n), "'" + n + "' missing from: " + err);
        }
        assertFalse(Files.exists(out.resolve("sweep-k.csv")));
    }

    @Test
    void aBadPromptIsNamedByItsLine() throws Exception {
        Path set = prompts("a red circle moving left", "# fine", "a red blob moving left");
        oneLineError(sweep(set, dir.resolve("o1")), "--prompt-set", "line 3", "\"blob\" is not a shape");
    }

    @Test
    void anEmptyOrMissingSetIsRefused() throws Exception {
        oneLineError(sweep(prompts("# nothing", "   "), dir.resolve("o2")), "has no prompts");
        oneLineError(sweep(dir.resolve("absent.txt"), dir.resolve("o3")), "absent.txt", "does not exist");
    }

    @Test
    void promptSetOptionsDoNotMix() throws Exception {
        Path set = prompts("a red circle moving left");
        oneLineError(sweep(set, dir.resolve("o4"), "--prompt", "a cat"), "--prompt or --prompt-set");
        oneLineError(sweep(set, dir.resolve("o5"), "--seeds", "0"), "--seeds");
        oneLineError(new String[] {"sweep-k", "--steps", "2", "--k", "1", "--seeds", "2", "--device", "cpu:2", "--output",
            dir.resolve("o6").toString()}, "--seeds works with --prompt-set only");
    }
}
