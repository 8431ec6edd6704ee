package dev.surf.models.world;

import dev.surf.core.io.AtomicOutput;
import dev.surf.models.video.FfmpegMp4Writer;
import dev.surf.models.video.FrameWriter;
import dev.surf.models.video.PngFrameWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * A folder of world clips with their captions, the training set of issue 21:
 * <pre>
 * DIR/clip-00000/frame_00000.png ... frame_00016.png   (PNG), or DIR/clip-00000.mp4 (H.264 through ffmpeg)
 * DIR/captions.tsv   header "name	caption	seed	index", then one line per clip
 * </pre>
 * Clip i is {@code WorldClip.draw(seed, i, width / height)} rendered at width x height, so the same
 * seed at 2x and 4x the size gives the same clips. Clips are drawn and written on several threads;
 * each clip's bytes depend on (seed, i) alone, so the folder is the same for any thread count. The
 * whole folder is written under a temporary name and renamed into place at the end
 * ({@link AtomicOutput}): it must not exist or be empty, and a failed run leaves nothing.
 */
public final class WorldDataset {
    /** The captions file inside the folder. */
    public static final String CAPTIONS = "captions.tsv";
    private static final String HEADER = "name\tcaption\tseed\tindex";

    /** How clips are stored. */
    public enum Format { PNG, MP4 }

    /** One line of captions.tsv: the clip's file or folder name, its caption, and where it was drawn from. */
    public record Entry(String name, String caption, long seed, long index) {
        /** The clip itself, for frames of width / height aspect. */
        public WorldClip clip(double aspect) {
            return WorldClip.draw(seed, index, aspect);
        }
    }

    private WorldDataset() {
    }

    /** The name of clip i: clip-00000 (a folder of PNGs, or with .mp4). */
    public static String clipName(long index) {
        return String.format(Locale.ROOT, "clip-%05d", index);
    }

    /**
     * Writes count clips from seed into dir on {@code threads} threads; {@code ffmpeg} is needed for
     * MP4 only; {@code done} hears the number of clips finished (from any of the threads, one call at a time).
     *
     * @return the entries written, in order
     */
    public static List<Entry> write(Path dir, int count, int width, int height, long seed, Format format, String ffmpeg, int threads,
                                    IntConsumer done) throws IOException {
        if (count < 1) {
            throw new IllegalArgumentException("the clip count must be at least 1, got " + count);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("the thread count must be at least 1, got " + threads);
        }
        if (format == Format.MP4 && ffmpeg == null) {
            throw new IllegalArgumentException("MP4 clips need ffmpeg (set $SURF_FFMPEG or put ffmpeg on PATH); PNG frames need nothing");
        }
        double aspect = (double) width / height;
        ClipRenderer.frame(WorldClip.draw(seed, 0, aspect), 0, width, height); // refuses a bad size before anything is written
        List<Entry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            entries.add(new Entry(clipName(i) + (format == Format.MP4 ? ".mp4" : ""), WorldClip.draw(seed, i, aspect).caption(), seed, i));
        }
        try (AtomicOutput out = AtomicOutput.folder(dir)) {
            Path tmp = out.temp();
            AtomicInteger finished = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, count));
            try {
                List<Future<?>> jobs = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    int index = i;
                    jobs.add(pool.submit(() -> {
                        writeClip(tmp, entries.get(index).name(), WorldClip.draw(seed, index, aspect), width, height, format, ffmpeg);
                        int n = finished.incrementAndGet();
                        synchronized (done) {
                            done.accept(n);
                        }
                        return null;
                    }));
                }
                for (Future<?> j : jobs) {
                    await(j);
                }
            } finally {
                pool.shutdownNow();
            }
            StringBuilder tsv = new StringBuilder(HEADER).append('\n');
            for (Entry e : entries) {
                tsv.append(e.name()).append('\t').append(e.caption()).append('\t').append(e.seed()).append('\t').append(e.index()).append('\n');
            }
            Files.writeString(tmp.resolve(CAPTIONS), tsv, StandardCharsets.UTF_8);
            out.commit();
        }
        return entries;
    }

    private static void writeClip(Path tmp, String name, WorldClip clip, int width, int height, Format format, String ffmpeg)
            throws IOException {
        try (FrameWriter w = format == Format.PNG ? new PngFrameWriter(tmp.resolve(name), width, height)
                : new FfmpegMp4Writer(ffmpeg, tmp.resolve(name), width, height, WorldClip.FPS)) {
            for (int f = 0; f < WorldClip.FRAMES; f++) {
                w.write(ClipRenderer.toRgb(ClipRenderer.frame(clip, f, width, height), width, height));
            }
            w.finish();
        }
    }

    private static void await(Future<?> job) throws IOException {
        try {
            job.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while writing clips", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(c);
        }
    }

    /**
     * Reads DIR/captions.tsv of a folder written by {@link #write}.
     *
     * @throws IOException one line naming the file and line when it is missing or malformed
     */
    public static List<Entry> read(Path dir) throws IOException {
        Path file = dir.resolve(CAPTIONS);
        if (!Files.isRegularFile(file)) {
            throw new IOException(dir + " has no " + CAPTIONS + " (write one with 'surf world')");
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
            throw new IOException(file + ": the first line must be the header \"" + HEADER.replace("\t", "\\t") + "\"");
        }
        List<Entry> out = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            try {
                if (f.length != 4) {
                    throw new IllegalArgumentException("expected 4 tab-separated fields, got " + f.length);
                }
                WorldPrompt.parse(f[1]);
                out.add(new Entry(f[0], f[1], Long.parseLong(f[2]), Long.parseLong(f[3])));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + " line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return out;
    }
}
