package dev.surf.models.cli;

import dev.surf.core.io.OutputPlan;
import dev.surf.models.video.FfmpegMp4Writer;
import dev.surf.models.world.ClipRenderer;
import dev.surf.models.world.WorldClip;
import dev.surf.models.world.WorldDataset;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code surf world}: writes clips of the small world (issue 21) with their captions; see docs/world.md. */
@Command(name = "world", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write clips of the small world (one object moving on a flat background, 17 frames at 16 fps) and their captions.",
            "DIR gets clip-00000/ (PNG frames) or clip-00000.mp4 per clip and captions.tsv; the same --seed gives the same clips at any size."})
final class WorldCommand implements Callable<Integer> {
    /** Largest side and count accepted: far beyond any training set of this world, small enough to catch typos. */
    static final int MAX_SIDE = 4096;
    static final int MAX_COUNT = 1_000_000;

    @Option(names = "--count", required = true, description = "number of clips")
    int count;

    @Option(names = "--size", defaultValue = "128x128", description = "frame WIDTHxHEIGHT, each at least 16 (default ${DEFAULT-VALUE})")
    String size;

    @Option(names = "--output", required = true, description = "new (or empty) folder to write")
    Path output;

    @Option(names = "--seed", defaultValue = "0", description = "dataset seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--format", defaultValue = "png", description = "png (a folder of frames per clip) or mp4 (H.264 through ffmpeg) (default ${DEFAULT-VALUE})")
    String format;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintStream err = System.err;
        if (count < 1 || count > MAX_COUNT) {
            throw new SurfCli.UserException("--count must be in [1, " + MAX_COUNT + "], got " + count);
        }
        int[] wh = SizeOption.parse("--size", size, "128x128");
        if (wh[0] < ClipRenderer.MIN_SIDE || wh[1] < ClipRenderer.MIN_SIDE || wh[0] > MAX_SIDE || wh[1] > MAX_SIDE) {
            throw new SurfCli.UserException("--size " + size + ": width and height must be in [" + ClipRenderer.MIN_SIDE + ", " + MAX_SIDE + "]");
        }
        double aspect = (double) wh[0] / wh[1];
        if (aspect < WorldClip.MIN_ASPECT || aspect > 64) {
            throw new SurfCli.UserException(String.format(Locale.ROOT, "--size %s: width/height must be in [%.3f, 64] so that every object fits"
                    + " and travels at least %.0f%% of the frame", size, WorldClip.MIN_ASPECT, 100 * WorldClip.MIN_TRAVEL));
        }
        WorldDataset.Format fmt = switch (format.toLowerCase(Locale.ROOT)) {
            case "png" -> WorldDataset.Format.PNG;
            case "mp4" -> WorldDataset.Format.MP4;
            default -> throw new SurfCli.UserException("--format must be png or mp4, got " + format);
        };
        String ffmpeg = fmt == WorldDataset.Format.MP4 ? FfmpegMp4Writer.find() : null;
        if (fmt == WorldDataset.Format.MP4 && ffmpeg == null) {
            throw new SurfCli.UserException("--format mp4 needs ffmpeg (set $SURF_FFMPEG or put ffmpeg on PATH); --format png needs nothing");
        }
        long t0 = System.nanoTime();
        try (OutputPlan plan = OutputPlan.of("world").folder("--output", output).check()) {
            long[] lastNote = {t0};
            WorldDataset.write(output, count, wh[0], wh[1], seed, fmt, ffmpeg, done -> {
                long now = System.nanoTime();
                if (now - lastNote[0] > 2_000_000_000L && done < count) {
                    lastNote[0] = now;
                    double el = (now - t0) / 1e9;
                    err.printf(Locale.ROOT, "surf: world %d/%d clips  elapsed %s  ETA %s%n", done, count, ProgressPrinter.duration(el),
                            ProgressPrinter.duration(el / done * (count - done)));
                    err.flush();
                }
            });
            plan.done();
        }
        out.printf(Locale.ROOT, "wrote %d clip%s of %dx%d (%d frames at %s fps, %s) and %s to %s in %.1f s%n", count, count == 1 ? "" : "s",
                wh[0], wh[1], WorldClip.FRAMES, fmtFps(), fmt == WorldDataset.Format.PNG ? "PNG frames" : "H.264 MP4",
                WorldDataset.CAPTIONS, output, (System.nanoTime() - t0) / 1e9);
        out.flush();
        return 0;
    }

    private static String fmtFps() {
        return String.format(Locale.ROOT, "%.0f", WorldClip.FPS);
    }
}
