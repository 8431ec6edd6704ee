package dev.surf.models.video;

import java.io.IOException;

/**
 * A destination for RGB frames of one size, written in order. {@link #finish()} makes the result
 * appear under its final name; {@link #close()} without finish discards it, so a failed run never
 * leaves a half-written file under the name the user asked for.
 */
public interface FrameWriter extends AutoCloseable {
    /** Appends a frame: interleaved RGB bytes, height x width x 3. */
    void write(byte[] rgb) throws IOException;

    /** Completes the output and moves it into place; returns a one-line description of what was written. */
    String finish() throws IOException;

    /** Releases resources; discards the output unless {@link #finish()} succeeded. */
    @Override
    void close() throws IOException;
}
