package dev.surf.models.video;

import dev.surf.core.Tensor;
import dev.surf.models.vae.FrameSink;
import java.io.IOException;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Passes decoded frames on and tells the user how a long decode is going: at most one note every
 * {@link #EVERY_NANOS} (none for a decode that finishes sooner) with the frames written, the time so
 * far and the time left, extrapolated per video frame (every later latent frame decodes to four of
 * them, so frames track the work).
 */
final class DecodeProgress implements FrameSink {
    static final long EVERY_NANOS = 5_000_000_000L;

    private final FrameSink inner;
    private final int totalFrames;
    private final Consumer<String> notes;
    private final LongSupplier clock;
    private final long start;
    private long last;

    DecodeProgress(FrameSink inner, int totalFrames, Consumer<String> notes, LongSupplier clock) {
        this.inner = inner;
        this.totalFrames = totalFrames;
        this.notes = notes;
        this.clock = clock;
        this.start = clock.getAsLong();
        this.last = start;
    }

    @Override
    public void accept(Tensor frames, int firstFrame) throws IOException {
        inner.accept(frames, firstFrame);
        int done = firstFrame + frames.dim(1);
        long now = clock.getAsLong();
        if (done < totalFrames && now - last >= EVERY_NANOS) {
            last = now;
            double elapsed = (now - start) / 1e9;
            notes.accept(String.format(Locale.ROOT, "vae decode: %d/%d frames in %.0f s, about %.0f s left", done,
                    totalFrames, elapsed, elapsed / done * (totalFrames - done)));
        }
    }
}
