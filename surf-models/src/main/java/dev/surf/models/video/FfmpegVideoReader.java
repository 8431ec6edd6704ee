package dev.surf.models.video;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * An MP4 / WebM / MOV (anything ffmpeg decodes) read through an ffmpeg executable, found as the
 * writer finds it ({@link FfmpegMp4Writer#find}: $SURF_FFMPEG, then PATH). The first frame is asked
 * for as a PNG, which gives the size without parsing ffmpeg's log; then
 * {@code ffmpeg -i IN [-vf fps=F] -f rawvideo -pix_fmt rgb24 -} streams the frames, read one at a time
 * from the pipe. Resampling to F frames per second is ffmpeg's fps filter (each output time takes the
 * nearest input frame, dropping or repeating frames).
 */
public final class FfmpegVideoReader implements VideoReader {
    private final Path file;
    private final int width;
    private final int height;
    private final Process process;
    private final InputStream frames;
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private final Thread logReader;
    private int count;
    private boolean ended;

    /**
     * Opens the video; fps &lt;= 0 keeps the file's own frame rate.
     *
     * @throws IOException one line naming the file when it is missing, not a video ffmpeg can decode
     *                     (a text file named .mp4, a truncated MP4) or has no video frames
     */
    public FfmpegVideoReader(String ffmpeg, Path file, double fps) throws IOException {
        this.file = file;
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IOException("cannot read video " + file + ": not a readable file");
        }
        BufferedImage probe = firstFrame(ffmpeg, file);
        width = probe.getWidth();
        height = probe.getHeight();
        List<String> cmd = new ArrayList<>(List.of(ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin", "-i", file.toString()));
        if (fps > 0) {
            cmd.addAll(List.of("-vf", String.format(Locale.ROOT, "fps=%s", fps)));
        }
        cmd.addAll(List.of("-an", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"));
        try {
            process = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new IOException("cannot start ffmpeg (" + ffmpeg + ") to read " + file + ": " + e.getMessage(), e);
        }
        frames = process.getInputStream();
        logReader = Thread.ofVirtual().start(() -> {
            try (InputStream err = process.getErrorStream()) {
                err.transferTo(log);
            } catch (IOException ignored) {
                // the process is gone; its exit code tells what happened
            }
        });
    }

    /** Decodes frame 0 to PNG through ffmpeg; its failure message is ffmpeg's first error line. */
    private static BufferedImage firstFrame(String ffmpeg, Path file) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder(ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin", "-i", file.toString(),
                    "-map", "0:v:0", "-frames:v", "1", "-f", "image2pipe", "-vcodec", "png", "-").start();
        } catch (IOException e) {
            throw new IOException("cannot start ffmpeg (" + ffmpeg + ") to read " + file + ": " + e.getMessage(), e);
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread t = Thread.ofVirtual().start(() -> {
            try (InputStream in = p.getErrorStream()) {
                in.transferTo(err);
            } catch (IOException ignored) {
                // see the exit code
            }
        });
        byte[] png;
        try (InputStream in = p.getInputStream()) {
            png = in.readAllBytes();
        }
        try {
            p.waitFor();
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading " + file, e);
        }
        if (png.length == 0) {
            String why = firstLine(err.toString());
            if (why.contains("matches no streams") || why.contains("does not contain any stream")) {
                throw new IOException("video " + file + " has no video frames (no video stream)");
            }
            throw new IOException(why.isEmpty() ? "video " + file + " has no frames"
                    : "cannot decode video " + file + ": " + why);
        }
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        if (img == null) {
            throw new IOException("cannot decode video " + file + ": ffmpeg gave no image for frame 0");
        }
        return img;
    }

    private static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        String line = nl < 0 ? t : t.substring(0, nl).strip();
        // "[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55d0c8a2e440] moov atom not found": the address says nothing
        return line.replaceFirst("^\\[[^\\]]*@ 0x[0-9a-f]+\\]\\s*", "");
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int height() {
        return height;
    }

    @Override
    public float[] next() throws IOException {
        if (ended) {
            return null;
        }
        byte[] rgb = frames.readNBytes(3 * width * height);
        if (rgb.length == 3 * width * height) {
            count++;
            return VideoReader.fromRgb(rgb, width, height);
        }
        ended = true;
        int rc;
        try {
            rc = process.waitFor();
            logReader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading " + file, e);
        }
        String why = firstLine(log.toString());
        // at -loglevel error a sound file prints nothing; a cut one may still exit 0 with fewer frames
        if (rc != 0 || rgb.length != 0 || !why.isEmpty()) {
            throw new IOException("video " + file + " is damaged after frame " + count + ": "
                    + (why.isEmpty() ? "a partial frame at the end (exit code " + rc + ")" : why));
        }
        if (count == 0) {
            throw new IOException("video " + file + " has no frames");
        }
        return null;
    }

    @Override
    public String describe() {
        return "video " + file + " (" + width + "x" + height + ", through ffmpeg)";
    }

    @Override
    public void close() throws IOException {
        process.destroy();
        frames.close();
    }
}
