package dev.surf.models.video;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * A folder of PNG or JPEG frames (ImageIO, no native code), in natural name order: digit runs compare
 * as numbers, so frame_2.png comes before frame_10.png. Every frame must have the first one's size.
 */
public final class FrameFolderReader implements VideoReader {
    private final Path folder;
    private final List<Path> files;
    private final int width;
    private final int height;
    private int next;
    private BufferedImage first;

    /**
     * Lists the folder's *.png, *.jpg and *.jpeg files and reads the first for the size.
     *
     * @throws IOException naming the folder when it holds no frames, or the file that cannot be read
     */
    public FrameFolderReader(Path folder) throws IOException {
        this.folder = folder;
        try (Stream<Path> s = Files.list(folder)) {
            files = new ArrayList<>(s.filter(p -> Files.isRegularFile(p) && isFrame(p)).toList());
        } catch (IOException e) {
            throw new IOException("cannot list frame folder " + folder + ": " + e.getMessage(), e);
        }
        if (files.isEmpty()) {
            throw new IOException("frame folder " + folder + " has no frames (*.png, *.jpg, *.jpeg)");
        }
        files.sort(Comparator.comparing((Path p) -> p.getFileName().toString(), FrameFolderReader::natural));
        first = read(files.get(0));
        width = first.getWidth();
        height = first.getHeight();
    }

    static boolean isFrame(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg");
    }

    /** Compares names with digit runs as numbers ("f2" < "f10"), otherwise character by character. */
    static int natural(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            if (Character.isDigit(ca) && Character.isDigit(cb)) {
                int ei = i;
                int ej = j;
                while (ei < a.length() && Character.isDigit(a.charAt(ei))) {
                    ei++;
                }
                while (ej < b.length() && Character.isDigit(b.charAt(ej))) {
                    ej++;
                }
                String na = a.substring(i, ei).replaceFirst("^0+(?=.)", "");
                String nb = b.substring(j, ej).replaceFirst("^0+(?=.)", "");
                int c = na.length() != nb.length() ? Integer.compare(na.length(), nb.length()) : na.compareTo(nb);
                if (c != 0) {
                    return c;
                }
                i = ei;
                j = ej;
            } else {
                if (ca != cb) {
                    return Character.compare(ca, cb);
                }
                i++;
                j++;
            }
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    private static BufferedImage read(Path file) throws IOException {
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new IOException("cannot read frame " + file + ": " + e.getMessage(), e);
        }
        if (img == null) {
            throw new IOException("cannot read frame " + file + ": not a PNG or JPEG image");
        }
        return img;
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
        if (next >= files.size()) {
            return null;
        }
        Path file = files.get(next++);
        BufferedImage img = first != null ? first : read(file);
        first = null;
        if (img.getWidth() != width || img.getHeight() != height) {
            throw new IOException("frame " + file + " is " + img.getWidth() + "x" + img.getHeight() + " but the first frame of "
                    + folder + " is " + width + "x" + height);
        }
        byte[] rgb = new byte[3 * width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int p = img.getRGB(x, y);
                int o = 3 * (y * width + x);
                rgb[o] = (byte) (p >> 16);
                rgb[o + 1] = (byte) (p >> 8);
                rgb[o + 2] = (byte) p;
            }
        }
        return VideoReader.fromRgb(rgb, width, height);
    }

    @Override
    public String describe() {
        return "frame folder " + folder + " (" + files.size() + " frames " + width + "x" + height + ")";
    }

    @Override
    public void close() {
        first = null;
    }
}
