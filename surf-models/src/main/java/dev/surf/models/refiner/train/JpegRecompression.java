package dev.surf.models.refiner.train;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Re-compresses a frame as a baseline JPEG at a given quality (the JDK's IJG-based writer) and decodes
 * it again: the blocking and ringing of a real compressed video frame. The round trip goes through
 * 8-bit RGB, so the output is also quantised to 1/255.
 */
final class JpegRecompression {
    private JpegRecompression() {
    }

    /** A new frame: {@code frame} (clamped to [0, 1]) encoded at {@code quality} (1..100) and decoded. */
    static RgbFrame apply(RgbFrame frame, int quality) {
        if (quality < 1 || quality > 100) {
            throw new IllegalArgumentException("JPEG quality must be in 1..100, got " + quality);
        }
        int h = frame.height();
        int w = frame.width();
        int n = frame.planeSize();
        float[] in = frame.data();
        int[] packed = new int[n];
        for (int p = 0; p < n; p++) {
            packed[p] = (to8(in[p]) << 16) | (to8(in[n + p]) << 8) | to8(in[2 * n + p]);
        }
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, w, h, packed, 0, w);
        int[] rgb = decode(encode(image, quality)).getRGB(0, 0, w, h, null, 0, w);
        float[] out = new float[in.length];
        for (int p = 0; p < n; p++) {
            out[p] = ((rgb[p] >> 16) & 0xff) / 255f;
            out[n + p] = ((rgb[p] >> 8) & 0xff) / 255f;
            out[2 * n + p] = (rgb[p] & 0xff) / 255f;
        }
        return new RgbFrame(out, h, w);
    }

    private static int to8(float v) {
        return (int) Math.clamp(Math.round(v * 255.0), 0, 255);
    }

    static byte[] encode(BufferedImage image, int quality) {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
        if (!writers.hasNext()) {
            throw new IllegalStateException("this JDK has no JPEG image writer (javax.imageio)");
        }
        ImageWriter writer = writers.next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality / 100f);
            writer.setOutput(out);
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException("JPEG encode in memory failed", e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    private static BufferedImage decode(byte[] jpeg) {
        try {
            // ImageIO.read closes the stream itself; an in-memory stream keeps ImageIO off its disk cache
            BufferedImage image = ImageIO.read(new MemoryCacheImageInputStream(new ByteArrayInputStream(jpeg)));
            if (image == null) {
                throw new IllegalStateException("the JDK's JPEG reader did not decode its own writer's output");
            }
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException("JPEG decode in memory failed", e);
        }
    }
}
