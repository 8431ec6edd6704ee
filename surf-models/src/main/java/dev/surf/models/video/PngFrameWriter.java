package dev.surf.models.video;

import dev.surf.core.io.AtomicOutput;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Frames as PNG files {@code frame_00000.png, frame_00001.png, ...} in a folder, through the JDK's
 * javax.imageio (no dependency). The frames are written into a temporary sibling folder that is
 * renamed to the requested one by {@link #finish()} ({@link AtomicOutput}); the folder must not exist yet
 * or be empty, and an unfinished writer leaves nothing behind.
 */
public final class PngFrameWriter implements FrameWriter {
    private final AtomicOutput out;
    private final Path tmp;
    private final int width;
    private final int height;
    private int count;

    public PngFrameWriter(Path dir, int width, int height) throws IOException {
        this.width = width;
        this.height = height;
        this.out = AtomicOutput.folder(dir);
        this.tmp = out.temp();
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
        out.commit();
        return count + " PNG frames " + width + "x" + height + " in " + out.target();
    }

    @Override
    public void close() {
        out.close();
    }
}
