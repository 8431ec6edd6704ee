package dev.surf.models.vae;

import dev.surf.core.Tensor;
import java.io.IOException;

/**
 * Receives decoded video as it is produced, one chunk of frames at a time: the first latent frame
 * gives one video frame, every later one timeStride (4) frames.
 */
@FunctionalInterface
public interface FrameSink {
    /**
     * Called in order with frames [3, n, H, W] (F32, RGB in [-1, 1] unless raw output was asked for)
     * whose first frame has index {@code firstFrame} in the video. The tensor is closed by the decoder
     * when this returns: copy what must outlive the call.
     */
    void accept(Tensor frames, int firstFrame) throws IOException;
}
