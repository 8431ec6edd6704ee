package dev.surf.models.video;

import dev.surf.core.io.AtomicOutput;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * H.264 MP4 through an ffmpeg executable: raw RGB frames are piped to
 * {@code ffmpeg -f rawvideo -pix_fmt rgb24 -s WxH -r FPS -i - -c:v libx264 -crf 10 -pix_fmt yuv420p},
 * the settings the official {@code cache_video} gets from imageio ({@code codec='libx264',
 * quality=8}, which imageio-ffmpeg turns into crf 10 and yuv420p). Odd sizes are padded by one pixel,
 * as yuv420p needs even ones. The file is written under a temporary name and renamed by
 * {@link #finish()}.
 *
 * <p>Why ffmpeg and not a Java encoder: the JVM has no maintained H.264 encoder. jcodec, the only pure
 * Java one on Maven Central, has had no release since 0.2.5 and encodes baseline profile without
 * rate control; ffmpeg's libx264 is what the official pipeline uses, so files match it in quality
 * and size. Without ffmpeg, {@link VideoOutput} writes PNG frames and says how to assemble them.
 */
public final class FfmpegMp4Writer implements FrameWriter {
    private final Path file;
    private final AtomicOutput out;
    private final Path tmp;
    private final int width;
    private final int height;
    private final Process process;
    private final OutputStream stdin;
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private final Thread logReader;
    private int count;
    private boolean finished;

    /** Starts {@code ffmpeg} (a path or a name on PATH) encoding width x height frames at fps. */
    public FfmpegMp4Writer(String ffmpeg, Path file, int width, int height, double fps) throws IOException {
        this.width = width;
        this.height = height;
        this.out = AtomicOutput.file(file);
        this.file = out.target();
        this.tmp = out.temp();
        List<String> cmd = new ArrayList<>(List.of(ffmpeg, "-hide_banner", "-loglevel", "error", "-y",
                "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", width + "x" + height,
                "-r", String.format(Locale.ROOT, "%s", fps), "-i", "-",
                "-c:v", "libx264", "-crf", "10", "-pix_fmt", "yuv420p"));
        if (width % 2 != 0 || height % 2 != 0) {
            cmd.addAll(List.of("-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2"));
        }
        cmd.addAll(List.of("-movflags", "+faststart", "-f", "mp4", tmp.toString()));
        try {
            this.process = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            out.close();
            throw new IOException("cannot start ffmpeg (" + ffmpeg + "): " + e.getMessage(), e);
        }
        this.stdin = process.getOutputStream();
        // drain stderr so that a chatty ffmpeg never blocks on a full pipe
        this.logReader = Thread.ofVirtual().start(() -> {
            try (InputStream err = process.getErrorStream()) {
                err.transferTo(log);
            } catch (IOException ignored) {
                // the process is gone; its exit code tells what happened
            }
        });
    }

    @Override
    public void write(byte[] rgb) throws IOException {
        if (rgb.length != 3 * width * height) {
            throw new IllegalArgumentException("frame of " + rgb.length + " bytes is not " + width + "x" + height + " RGB");
        }
        try {
            stdin.write(rgb);
        } catch (IOException e) {
            throw new IOException("ffmpeg stopped reading frames: " + waitForLog(), e);
        }
        count++;
    }

    @Override
    public String finish() throws IOException {
        stdin.close();
        int rc;
        try {
            rc = process.waitFor();
            logReader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while ffmpeg was encoding", e);
        }
        if (rc != 0) {
            throw new IOException("ffmpeg failed with exit code " + rc + ": " + log.toString().trim());
        }
        out.commit();
        finished = true;
        return count + " frames " + width + "x" + height + " H.264 (libx264 via ffmpeg) in " + file;
    }

    private String waitForLog() {
        try {
            process.waitFor();
            logReader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return log.toString().trim();
    }

    @Override
    public void close() throws IOException {
        if (!finished) {
            process.destroy();
            try {
                stdin.close();
            } catch (IOException ignored) {
                // already broken: the process is being destroyed
            }
            out.close();
        }
    }

    /**
     * The ffmpeg to use: {@code $SURF_FFMPEG} if set, else {@code ffmpeg} from PATH; null when there is
     * none that runs.
     */
    public static String find() {
        String env = System.getenv("SURF_FFMPEG");
        if (env != null && !env.isBlank()) {
            return env;
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String d : path.split(java.io.File.pathSeparator)) {
            Path p = Path.of(d.isEmpty() ? "." : d, "ffmpeg");
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }
}
