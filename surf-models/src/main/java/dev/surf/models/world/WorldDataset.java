package dev.surf.models.world;

import dev.surf.core.io.AtomicOutput;
import dev.surf.models.video.FfmpegMp4Writer;
import dev.surf.models.video.FrameWriter;
import dev.surf.models.video.PngFrameWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntConsumer;

/**
 * A folder of world clips with their captions, the training set of issue 21:
 * <pre>
 * DIR/clip-00000/frame_00000.png ... frame_00016.png   (PNG), or DIR/clip-00000.mp4 (H.264 through ffmpeg)
 * DIR/captions.tsv   header "name	caption	seed	index", then one line per clip
 * </pre>
 * Clip i is {@code WorldClip.draw(seed, i, width / height)} rendered at width x height, so the same
 * seed at 2x and 4x the size gives the same clips. The whole folder is written under a temporary
 * name and renamed into place at the end ({@link AtomicOutput}): it must not exist or be empty, and a
 * failed run leaves nothing.
 */
public final class WorldDataset {
    /** The captions file inside the folder. */
    public static final String CAPTIONS = "captions.tsv";

    /** How clips are stored. */
    public enum Format { PNG, MP4 }

    private WorldDataset() {
    }

    /** The name of clip i: clip-00000 (a folder of PNGs, or with .mp4). */
    public static String clipName(long index) {
        return String.format(Locale.ROOT, "clip-%05d", index);
    }

    /**
     * Writes count clips from seed into dir; {@code ffmpeg} is needed for MP4 only; {@code done}
     * hears the number of clips finished after each one.
     *
     * @return the caption lines written (without the header)
     */
    public static List<String> write(Path dir, int count, int width, int height, long seed, Format format, String ffmpeg,
                                     IntConsumer done) throws IOException {
        if (count < 1) {
            throw new IllegalArgumentException("the clip count must be at least 1, got " + count);
        }
        if (format == Format.MP4 && ffmpeg == null) {
            throw new IllegalArgumentException("MP4 clips need ffmpeg (set $SURF_FFMPEG or put ffmpeg on PATH); PNG frames need nothing");
        }
        double aspect = (double) width / height;
        WorldClip.draw(seed, 0, aspect); // refuses an unusable aspect before anything is written
        ClipRenderer.frame(WorldClip.draw(seed, 0, aspect), 0, width, height); // and a size under the minimum
        List<String> rows = new ArrayList<>();
        try (AtomicOutput out = AtomicOutput.folder(dir)) {
            Path tmp = out.temp();
            for (int i = 0; i < count; i++) {
                WorldClip clip = WorldClip.draw(seed, i, aspect);
                String name = clipName(i);
                try (FrameWriter w = format == Format.PNG ? new PngFrameWriter(tmp.resolve(name), width, height)
                        : new FfmpegMp4Writer(ffmpeg, tmp.resolve(name + ".mp4"), width, height, WorldClip.FPS)) {
                    for (int f = 0; f < WorldClip.FRAMES; f++) {
                        w.write(ClipRenderer.toRgb(ClipRenderer.frame(clip, f, width, height), width, height));
                    }
                    w.finish();
                }
                rows.add(name + (format == Format.MP4 ? ".mp4" : "") + "\t" + clip.caption() + "\t" + seed + "\t" + i);
                done.accept(i + 1);
            }
            StringBuilder tsv = new StringBuilder("name\tcaption\tseed\tindex\n");
            for (String r : rows) {
                tsv.append(r).append('\n');
            }
            Files.writeString(tmp.resolve(CAPTIONS), tsv, StandardCharsets.UTF_8);
            out.commit();
        }
        return rows;
    }
}
