package dev.surf.models.video;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Frames as PNG files {@code frame_00000.png, frame_00001.png, ...} in a folder, through the JDK's
 * javax.imageio (no dependency). The frames are written into a temporary sibling folder that is
 * renamed to the requested one by {@link #finish()}; the folder must not exist yet or be empty.
 */
public final class PngFrameWriter implements FrameWriter {
    private final Path dir;
    private final Path tmp;
    private final int width;
    private final int height;
    private int count;
    private boolean finished;

    public PngFrameWriter(Path dir, int width, int height) throws IOException {
        this.dir = dir.toAbsolutePath();
        this.width = width;
        this.height = height;
        if (Files.exists(this.dir)) {
            try (Stream<Path> s = Files.list(this.dir)) {
                if (!Files.isDirectory(this.dir) || s.findAny().isPresent()) {
                    throw new IOException(dir + " exists and is not an empty folder; choose a new folder for the frames");
                }
            }
        }
        Path parent = this.dir.getParent();
        Files.createDirectories(parent);
        this.tmp = Files.createTempDirectory(parent, "." + this.dir.getFileName() + ".");
        Permissions.readableByAll(tmp, true);
    }

    /** Writes one PNG of interleaved RGB bytes. */
    static void writePng(Path file, byte[] rgb, int width, int height) throws IOException {
        if (rgb.length != 3 * width * height) {
            throw new IllegalArgumentException("frame of " + rgb.length + " bytes is not " + width + "x" + height + " RGB");
        }
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        byte[] dst = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        for (int p = 0; p < width * height; p++) {
            dst[3 * p] = rgb[3 * p + 2];
            dst[3 * p + 1] = rgb[3 * p + 1];
            dst[3 * p + 2] = rgb[3 * p];
        }
        if (!ImageIO.write(img, "png", file.toFile())) {
            throw new IOException("no PNG writer available in this JDK");
        }
    }

    @Override
    public void write(byte[] rgb) throws IOException {
        writePng(tmp.resolve(String.format("frame_%05d.png", count)), rgb, width, height);
        count++;
    }

    @Override
    public String finish() throws IOException {
        if (Files.exists(dir)) {
            Files.delete(dir); // checked empty in the constructor
        }
        try {
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, dir);
        }
        finished = true;
        return count + " PNG frames " + width + "x" + height + " in " + dir;
    }

    @Override
    public void close() throws IOException {
        if (!finished && Files.exists(tmp)) {
            try (Stream<Path> s = Files.walk(tmp)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
