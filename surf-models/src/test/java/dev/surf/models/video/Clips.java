package dev.surf.models.video;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/** Procedurally drawn test clips: a disc moving over a colour gradient, as PNG frames or through ffmpeg. */
public final class Clips {
    private Clips() {
    }

    /** The 8-bit RGB of pixel (x, y) of frame t: a gradient with a bright disc moving right. */
    public static int rgb(int t, int x, int y, int w, int h) {
        int cx = (w / 4 + 3 * t) % w;
        int cy = h / 2;
        int r = Math.max(2, Math.min(w, h) / 5);
        boolean disc = (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r;
        int red = disc ? 240 : (40 + 180 * x / Math.max(1, w - 1));
        int green = disc ? 220 : (30 + 150 * y / Math.max(1, h - 1));
        int blue = disc ? 40 : ((7 * t + 90) % 256);
        return red << 16 | green << 8 | blue;
    }

    /** Writes frames 0..n-1 of w x h as frame_0.png, frame_1.png, ... (natural, not zero-padded, names). */
    public static Path pngFolder(Path dir, int n, int w, int h) throws IOException {
        Files.createDirectories(dir);
        for (int t = 0; t < n; t++) {
            ImageIO.write(image(t, w, h), "png", dir.resolve("frame_" + t + ".png").toFile());
        }
        return dir;
    }

    static BufferedImage image(int t, int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb(t, x, y, w, h));
            }
        }
        return img;
    }

    /** The channels-first frame in [-1, 1] that a reader must return for frame t. */
    public static float[] expected(int t, int w, int h) {
        byte[] b = new byte[3 * w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = rgb(t, x, y, w, h);
                int o = 3 * (y * w + x);
                b[o] = (byte) (p >> 16);
                b[o + 1] = (byte) (p >> 8);
                b[o + 2] = (byte) p;
            }
        }
        return VideoReader.fromRgb(b, w, h);
    }

    /**
     * Encodes the clip with ffmpeg into out; {@code args} are the codec options, e.g. lossless RGB
     * H.264 {@code -c:v libx264rgb -crf 0}.
     */
    public static Path encode(String ffmpeg, Path out, int n, int w, int h, int fps, String... args) throws Exception {
        Path frames = pngFolder(out.resolveSibling(out.getFileName() + ".frames"), n, w, h);
        List<String> cmd = new ArrayList<>(List.of(ffmpeg, "-hide_banner", "-loglevel", "error", "-y", "-framerate",
                String.valueOf(fps), "-i", frames.resolve("frame_%d.png").toString()));
        cmd.addAll(List.of(args));
        cmd.add(out.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("ffmpeg failed: " + log);
        }
        return out;
    }
}
