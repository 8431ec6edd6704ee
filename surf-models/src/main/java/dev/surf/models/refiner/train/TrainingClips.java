package dev.surf.models.refiner.train;

import dev.surf.models.video.VideoInput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The clips of a Refiner training folder. Every entry of the folder, in name order, is a video: a
 * video file ({@code .mp4 .mov .mkv .webm .avi}, read with ffmpeg), a frame folder (PNG/JPEG frames)
 * or a video tensor ({@code .safetensors} with {@code video [3, T, H, W]}). Each video is cut into
 * consecutive, non-overlapping clips of {@code frames} frames (1 + 4n, the VAE's rule) at the HR size
 * (frames are scaled and centre-cropped to it, as {@code surf vae-encode --size} does); a remainder
 * shorter than a clip is dropped. A sidecar {@code NAME.txt} next to the video (NAME = the file name
 * without its extension, or the folder's name) is the caption of all its clips; without one the
 * caption is the empty prompt.
 */
public final class TrainingClips {
    private static final List<String> VIDEO_EXTENSIONS = List.of(".mp4", ".mov", ".mkv", ".webm", ".avi", ".safetensors");

    /** One clip: frames [first, first + frames) of source, with its caption. */
    public record Clip(Path source, int first, int frames, String caption) {
        /** A stable name for caches and messages: the source's name and the first frame. */
        public String id() {
            return source.getFileName() + "@" + first;
        }
    }

    private TrainingClips() {
    }

    /**
     * Lists the clips of the folder.
     *
     * @param ffmpeg the ffmpeg binary, or null (then video files are refused, naming the file)
     * @throws IOException one line naming the folder or the video that cannot be read, or saying that
     *                     no video is long enough for one clip
     */
    public static List<Clip> scan(Path folder, int frames, int width, int height, String ffmpeg) throws IOException {
        if (!Files.isDirectory(folder)) {
            throw new IOException("--data " + folder + " is not a folder of videos");
        }
        List<Path> videos;
        try (Stream<Path> s = Files.list(folder)) {
            videos = s.filter(TrainingClips::isVideo).sorted().toList();
        }
        if (videos.isEmpty()) {
            throw new IOException("--data " + folder + " holds no videos (video files, frame folders or video .safetensors)");
        }
        List<Clip> clips = new ArrayList<>();
        for (Path v : videos) {
            int total = countFrames(v, width, height, ffmpeg);
            String caption = caption(v);
            for (int first = 0; first + frames <= total; first += frames) {
                clips.add(new Clip(v, first, frames, caption));
            }
        }
        if (clips.isEmpty()) {
            throw new IOException("--data " + folder + ": no video has the " + frames + " frames of one clip");
        }
        return clips;
    }

    /**
     * The clip's frames scaled to width x height, planar [3, frames, height, width] in [-1, 1] (the
     * VAE encoder's layout).
     */
    public static float[] read(Clip clip, int width, int height, String ffmpeg) throws IOException {
        int plane = width * height;
        float[] out = new float[3 * clip.frames() * plane];
        int f = 0;
        int seen = 0;
        try (VideoInput in = VideoInput.open(clip.source(), new VideoInput.Request(width, height, 0, 0), ffmpeg)) {
            for (float[][] chunk = in.nextChunk(); chunk != null && f < clip.frames(); chunk = in.nextChunk()) {
                for (float[] frame : chunk) {
                    if (seen++ < clip.first() || f >= clip.frames()) {
                        continue;
                    }
                    for (int c = 0; c < 3; c++) {
                        System.arraycopy(frame, c * plane, out, (c * clip.frames() + f) * plane, plane);
                    }
                    f++;
                }
            }
        }
        if (f < clip.frames()) {
            throw new IOException("clip " + clip.id() + ": " + clip.source() + " ended after " + seen + " frames");
        }
        return out;
    }

    private static int countFrames(Path video, int width, int height, String ffmpeg) throws IOException {
        int n = 0;
        try (VideoInput in = VideoInput.open(video, new VideoInput.Request(width, height, 0, 0), ffmpeg)) {
            for (float[][] chunk = in.nextChunk(); chunk != null; chunk = in.nextChunk()) {
                n += chunk.length;
            }
        }
        return n;
    }

    private static boolean isVideo(Path p) {
        if (Files.isDirectory(p)) {
            return !p.getFileName().toString().startsWith(".");
        }
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return VIDEO_EXTENSIONS.stream().anyMatch(name::endsWith);
    }

    /** The sidecar caption NAME.txt, trimmed; "" when there is none. */
    static String caption(Path video) throws IOException {
        String name = video.getFileName().toString();
        String stem = Files.isDirectory(video) ? name : name.replaceFirst("\\.[^.]+$", "");
        Path txt = video.resolveSibling(stem + ".txt");
        return Files.isRegularFile(txt) ? Files.readString(txt, StandardCharsets.UTF_8).trim() : "";
    }
}
