package dev.surf.models.video;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A video prepared for the Wan-VAE encoder: opened by kind, every frame resized and centre-cropped to
 * the requested size ({@link FrameFit}), and delivered in the encoder's chunks, the first frame alone
 * and then 4 frames at a time, so that the frame count is 1 + 4n.
 *
 * <p>Kinds: a folder is a folder of PNG / JPEG frames; {@code *.safetensors} holds tensor
 * {@code video}; anything else is a video file for ffmpeg (MP4, WebM, MOV, ...).
 *
 * <p>The size: {@code --size WxH} (multiples of 16, the DiT's patch times the VAE's stride), or else
 * the source's own size centre-cropped down to multiples of 16 (no scaling).
 *
 * <p>The frame count rule: without a requested count, trailing frames that do not fill a last chunk
 * of 4 are dropped (the largest 1 + 4n not above the source's count, as the official encode drops
 * them). With {@code --frames N} (N = 1 + 4n), the first N frames are used; a shorter source is
 * padded by repeating its last frame, and {@link #notes} says so.
 *
 * <p>Resampling: {@code --fps F} is applied by ffmpeg for video files (each output time takes the
 * nearest source frame); frame folders and tensors have no frame rate, so it is refused for them.
 */
public final class VideoInput implements AutoCloseable {
    /** What to read: width / height 0 keep the source's (cropped to multiples of 16), frames 0 all, fps 0 native. */
    public record Request(int width, int height, int frames, double fps) {
        public static final Request SOURCE = new Request(0, 0, 0, 0);
    }

    private final VideoReader reader;
    private final int width;
    private final int height;
    private final int frames;
    private final boolean scale;
    private final List<String> notes = new ArrayList<>();
    private float[] last;
    private int delivered;
    private int padded;
    private boolean done;

    private VideoInput(VideoReader reader, Request req) throws IOException {
        this.reader = reader;
        scale = req.width() > 0;
        if (scale) {
            width = req.width();
            height = req.height();
        } else {
            width = reader.width() / 16 * 16;
            height = reader.height() / 16 * 16;
            if (width == 0 || height == 0) {
                throw new IOException(reader.describe() + " has frames of " + reader.width() + "x" + reader.height()
                        + ", smaller than 16x16; give --size WxH to scale them");
            }
            if (width != reader.width() || height != reader.height()) {
                notes.add("frames of " + reader.width() + "x" + reader.height() + " centre-cropped to " + width + "x" + height
                        + " (multiples of 16)");
            }
        }
        this.frames = req.frames();
    }

    /**
     * Opens in with ffmpeg (null when none was found; only video files need it).
     *
     * @throws IOException one line naming the file for a missing or unreadable input
     * @throws IllegalArgumentException for a request that breaks the rules above (message names the flag)
     */
    public static VideoInput open(Path in, Request req, String ffmpeg) throws IOException {
        check(req);
        VideoReader r;
        if (Files.isDirectory(in)) {
            refuseFps(req, "frame folder " + in);
            r = new FrameFolderReader(in);
        } else if (in.getFileName() != null && in.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".safetensors")) {
            refuseFps(req, "tensor file " + in);
            r = new SafetensorsVideoReader(in);
        } else {
            if (!Files.exists(in)) {
                throw new IOException("video " + in + " does not exist");
            }
            if (ffmpeg == null) {
                throw new IOException("reading video " + in + " needs ffmpeg (set $SURF_FFMPEG or put ffmpeg on PATH),"
                        + " or give a folder of PNG/JPEG frames");
            }
            r = new FfmpegVideoReader(ffmpeg, in, req.fps());
        }
        try {
            return new VideoInput(r, req);
        } catch (IOException | RuntimeException e) {
            r.close();
            throw e;
        }
    }

    private static void check(Request req) {
        if (req.width() < 0 || req.height() < 0 || (req.width() == 0) != (req.height() == 0)
                || req.width() % 16 != 0 || req.height() % 16 != 0) {
            throw new IllegalArgumentException("--size " + req.width() + "x" + req.height()
                    + ": width and height must be positive multiples of 16");
        }
        if (req.frames() < 0 || (req.frames() > 0 && (req.frames() - 1) % 4 != 0)) {
            throw new IllegalArgumentException("--frames " + req.frames() + ": the VAE takes 1 + 4n frames (1, 5, 9, ..., 81)");
        }
        if (req.fps() < 0 || Double.isNaN(req.fps())) {
            throw new IllegalArgumentException("--fps " + req.fps() + " must be positive");
        }
    }

    private static void refuseFps(Request req, String what) {
        if (req.fps() > 0) {
            throw new IllegalArgumentException("--fps resamples video files only; " + what + " has no frame rate");
        }
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** What is read, for messages. */
    public String describe() {
        return reader.describe();
    }

    /**
     * The next chunk of frames, each [3, height, width] in [-1, 1]: one frame first, then 4 at a time;
     * null when the video (as trimmed or padded by the rule above) is done.
     *
     * @throws IOException naming the source when it is unreadable or has no frames at all
     */
    public float[][] nextChunk() throws IOException {
        if (done) {
            return null;
        }
        int n = delivered == 0 ? 1 : 4;
        if (frames > 0 && delivered + n > frames) {
            done = true;
            return null;
        }
        float[][] chunk = new float[n][];
        for (int i = 0; i < n; i++) {
            float[] f = reader.next();
            if (f == null) {
                if (frames > 0 && last != null) {
                    // --frames N beyond the source: repeat the last frame
                    f = last;
                    padded++;
                } else {
                    done = true;
                    if (delivered == 0) {
                        throw new IOException(reader.describe() + " has no frames");
                    }
                    if (i > 0) {
                        notes.add("dropped the last " + i + " frame" + (i == 1 ? "" : "s") + " (the VAE takes 1 + 4n frames)");
                    }
                    return null;
                }
            } else {
                f = scale ? FrameFit.fit(f, reader.width(), reader.height(), width, height)
                        : FrameFit.crop(f, reader.width(), reader.height(), width, height);
                last = f;
            }
            chunk[i] = f;
        }
        delivered += n;
        if (frames > 0 && delivered == frames && padded > 0) {
            notes.add("the source has " + (frames - padded) + " frames; repeated the last one " + padded + " times to reach --frames "
                    + frames);
        }
        return chunk;
    }

    /** Frames delivered so far. */
    public int delivered() {
        return delivered;
    }

    /** What was changed about the source (crop, trim, padding), one line each. */
    public List<String> notes() {
        return List.copyOf(notes);
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
