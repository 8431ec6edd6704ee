package dev.surf.models.video;

import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.safetensors.SafetensorsWriter;
import dev.surf.models.vae.FrameSink;
import dev.surf.models.vae.TiledVae;
import dev.surf.models.vae.VaeTiling;
import dev.surf.models.vae.WanVaeDecoder;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Decodes latents straight into a file, streaming: frames leave the decoder chunk by chunk and go to
 * the writer, so memory stays flat however long the video. The kind of output follows the name:
 * {@code *.mp4} (H.264 through ffmpeg; PNG frames beside it when there is no ffmpeg),
 * {@code *.safetensors} (tensor {@code video} [3, F, H, W] F32 in [-1, 1]), anything else a folder of
 * PNG frames.
 */
public final class VideoOutput {
    /** Wan 2.1's frame rate (sample_fps in the official configs). */
    public static final double DEFAULT_FPS = 16;

    private static final ValueLayout.OfFloat LE_F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** The kinds of output. */
    public enum Kind { MP4, SAFETENSORS, PNG_FRAMES }

    private VideoOutput() {
    }

    /** The kind a path asks for, by its extension. */
    public static Kind kindOf(Path out) {
        String n = out.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".mp4")) {
            return Kind.MP4;
        }
        if (n.endsWith(".safetensors")) {
            return Kind.SAFETENSORS;
        }
        return Kind.PNG_FRAMES;
    }

    /** Where PNG frames go when an MP4 was asked for but no ffmpeg exists: {@code OUT_frames/} beside it. */
    public static Path fallbackFolder(Path mp4) {
        String n = mp4.getFileName().toString();
        return mp4.resolveSibling(n.substring(0, n.length() - 4) + "_frames");
    }

    /**
     * Decodes z [16, T, h, w] into out. {@code ffmpeg} is the executable for MP4 (null: none, fall
     * back to PNG frames); {@code notes} receives messages for the user (such as the fallback, and
     * progress every few seconds of a long decode).
     *
     * @return one line saying what was written where
     */
    public static String decode(WanVaeDecoder vae, Tensor z, Path out, double fps, String ffmpeg, Consumer<String> notes)
            throws IOException {
        return decode(vae, z, out, fps, ffmpeg, notes, null);
    }

    /**
     * As {@link #decode(WanVaeDecoder, Tensor, Path, double, String, Consumer)}, decoding in spatial tiles
     * ({@link TiledVae}, {@link VaeTiling#DEFAULT}) when {@code tile} is true, whole when false, and by
     * frame size ({@link VaeTiling#auto}: above 1280x720) when null.
     */
    public static String decode(WanVaeDecoder vae, Tensor z, Path out, double fps, String ffmpeg, Consumer<String> notes,
                                Boolean tile) throws IOException {
        int frames = vae.config().outputFrames(z.dim(1));
        int h = z.dim(2) * vae.config().spaceStride();
        int w = z.dim(3) * vae.config().spaceStride();
        Kind kind = kindOf(out);
        if (kind == Kind.SAFETENSORS) {
            Shape shape = Shape.of(3, frames, h, w);
            SafetensorsWriter.writeStreaming(out, "video", DType.F32, shape,
                    Map.of("producer", "surf vae-decode", "range", "[-1, 1]", "layout", "[3, F, H, W] RGB"),
                    seg -> run(vae, z, new DecodeProgress(into(vae.backend(), seg, frames, h * w), frames, notes,
                            System::nanoTime), tile));
            return "video " + shape + " F32 written to " + out;
        }
        Path target = out;
        FrameWriter writer;
        if (kind == Kind.MP4 && ffmpeg != null) {
            writer = new FfmpegMp4Writer(ffmpeg, out, w, h, fps);
        } else {
            if (kind == Kind.MP4) {
                target = fallbackFolder(out);
                notes.accept("no ffmpeg found (install it, or set SURF_FFMPEG to its path): writing PNG frames to "
                        + target + " instead of " + out + "; assemble them with: ffmpeg -framerate "
                        + String.format(Locale.ROOT, "%s", fps) + " -i " + target.resolve("frame_%05d.png")
                        + " -c:v libx264 -crf 10 -pix_fmt yuv420p " + out);
            }
            writer = new PngFrameWriter(target, w, h);
        }
        try (FrameWriter wr = writer) {
            run(vae, z, new DecodeProgress(toWriter(vae.backend(), wr), frames, notes, System::nanoTime), tile);
            return wr.finish();
        }
    }

    /** The clamped decode into sink, tiled or whole as {@code tile} says (null: by size). */
    private static void run(WanVaeDecoder vae, Tensor z, FrameSink sink, Boolean tile) throws IOException {
        int s = vae.config().spaceStride();
        boolean tiled = tile != null ? tile : VaeTiling.auto(z.dim(3) * s, z.dim(2) * s);
        if (tiled) {
            TiledVae.decode(vae, z, VaeTiling.DEFAULT, sink, true);
        } else {
            vae.decode(z, sink);
        }
    }

    /** A sink that turns chunks into 8-bit frames for a writer. */
    public static FrameSink toWriter(Backend be, FrameWriter writer) {
        return (chunk, first) -> {
            int n = chunk.dim(1);
            float[] v = be.toFloats(chunk);
            for (int f = 0; f < n; f++) {
                writer.write(Pixels.rgb(v, n, chunk.dim(2), chunk.dim(3), f));
            }
        };
    }

    /** A sink that copies chunks into a channel-major [3, frames, plane] F32 region. */
    private static FrameSink into(Backend be, MemorySegment dst, int frames, int plane) {
        return (chunk, first) -> {
            int n = chunk.dim(1);
            float[] v = be.toFloats(chunk);
            for (int c = 0; c < 3; c++) {
                MemorySegment.copy(v, c * n * plane, dst, LE_F32, ((long) c * frames + first) * plane * 4L, n * plane);
            }
        };
    }
}
