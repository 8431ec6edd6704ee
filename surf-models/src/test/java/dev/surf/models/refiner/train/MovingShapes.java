package dev.surf.models.refiner.train;

import dev.surf.core.Shape;
import dev.surf.core.safetensors.SafetensorsWriter;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Procedural training videos for the Refiner tests: a textured background with a disc and a square
 * moving across it, both with sharp edges and a stripe pattern (the high frequencies a downscale
 * loses), all a function of the video's seed.
 */
final class MovingShapes {
    private MovingShapes() {
    }

    /** Video {@code seed} as planar [3, frames, h, w] in [-1, 1]. */
    static float[] render(long seed, int frames, int w, int h) {
        java.util.Random r = new java.util.Random(seed);
        double cx = r.nextDouble() * w, cy = r.nextDouble() * h, vx = 1 + r.nextDouble() * 2, vy = r.nextDouble() * 2 - 1;
        double sx = r.nextDouble() * w, sy = r.nextDouble() * h, ux = -1 - r.nextDouble(), uy = 1 + r.nextDouble();
        double radius = 0.2 * Math.min(w, h) + r.nextDouble() * 3;
        double side = 0.25 * Math.min(w, h);
        double[] disc = {r.nextDouble() * 2 - 1, r.nextDouble() * 2 - 1, r.nextDouble() * 2 - 1};
        double[] box = {r.nextDouble() * 2 - 1, r.nextDouble() * 2 - 1, r.nextDouble() * 2 - 1};
        double stripe = 2 + r.nextInt(3);
        float[] out = new float[3 * frames * w * h];
        for (int t = 0; t < frames; t++) {
            double dx = cx + vx * t, dy = cy + vy * t, bx = sx + ux * t, by = sy + uy * t;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double[] c = {0.3 * Math.sin((x + t) / 3.0), 0.3 * Math.cos(y / 4.0), 0.2 * Math.sin((x + y) / 5.0)};
                    if (Math.hypot(x - mod(dx, w), y - mod(dy, h)) < radius) {
                        c = disc.clone();
                    }
                    if (Math.abs(x - mod(bx, w)) < side / 2 && Math.abs(y - mod(by, h)) < side / 2) {
                        double s = ((int) Math.floor((x + y) / stripe)) % 2 == 0 ? 0.4 : -0.4;
                        c = new double[] {box[0] + s, box[1] - s, box[2] + s};
                    }
                    for (int ch = 0; ch < 3; ch++) {
                        out[((ch * frames + t) * h + y) * w + x] = (float) Math.max(-1, Math.min(1, c[ch]));
                    }
                }
            }
        }
        return out;
    }

    private static double mod(double v, int n) {
        return ((v % n) + n) % n;
    }

    /** Writes video {@code seed} as {@code dir/name.safetensors} (tensor video). */
    static Path writeTensor(Path dir, String name, long seed, int frames, int w, int h) throws IOException {
        Path f = dir.resolve(name + ".safetensors");
        SafetensorsWriter.writeFloats(f, Map.of("video", render(seed, frames, w, h)), Map.of("video", Shape.of(3, frames, h, w)), null);
        return f;
    }

    /** Writes video {@code seed} as a folder of PNG frames {@code dir/name/frame_N.png}. */
    static Path writeFrames(Path dir, String name, long seed, int frames, int w, int h) throws IOException {
        float[] v = render(seed, frames, w, h);
        Path folder = Files.createDirectories(dir.resolve(name));
        for (int t = 0; t < frames; t++) {
            BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int rgb = 0;
                    for (int ch = 0; ch < 3; ch++) {
                        int b = (int) Math.round((v[((ch * frames + t) * h + y) * w + x] + 1) * 127.5);
                        rgb = (rgb << 8) | Math.max(0, Math.min(255, b));
                    }
                    img.setRGB(x, y, rgb);
                }
            }
            ImageIO.write(img, "png", folder.resolve("frame_" + t + ".png").toFile());
        }
        return folder;
    }

    /** The test's degradation: an area (box) downscale by an integer factor, no noise. */
    static final ClipDegrader BOX_DOWNSCALE = (hr, frames, height, width, lrHeight, lrWidth, clipIndex) -> {
        int fy = height / lrHeight;
        int fx = width / lrWidth;
        float[] lr = new float[3 * frames * lrHeight * lrWidth];
        for (int p = 0; p < 3 * frames; p++) {
            for (int y = 0; y < lrHeight; y++) {
                for (int x = 0; x < lrWidth; x++) {
                    double s = 0;
                    for (int i = 0; i < fy; i++) {
                        for (int j = 0; j < fx; j++) {
                            s += hr[(p * height + y * fy + i) * width + x * fx + j];
                        }
                    }
                    lr[(p * lrHeight + y) * lrWidth + x] = (float) (s / (fx * fy));
                }
            }
        }
        return lr;
    };
}
