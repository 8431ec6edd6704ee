package dev.surf.models.vae.train;

import dev.surf.core.Backend;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.models.world.data.ClipSource;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The training videos of a Wan-VAE run: a fixed, indexed set of clips, each [3, T, H, W] F32 in
 * [-1, 1] (channels first, RGB, b / 255 mapped to [-1, 1]: what WanVaeEncoder.encode takes). All clips
 * have at least the trainer's crop size; the trainer cuts its random crops out of them.
 */
public interface VaeClips {
    /** Number of clips (at least 1). */
    int size();

    /** Clip {@code index} (0 .. size-1) on the backend; the caller owns the tensor. The same clip every call. */
    Tensor frames(int index, Backend be);

    /** The clips of a DiT clip source (the world's renderer, a folder of videos) as VAE training clips. */
    static VaeClips of(ClipSource source) {
        Shape shape = Shape.of(3, source.frameCount(), source.height(), source.width());
        return new VaeClips() {
            @Override
            public int size() {
                return source.size();
            }

            @Override
            public Tensor frames(int index, Backend be) {
                try {
                    return be.fromFloats(source.frames(index), shape);
                } catch (IOException e) {
                    throw new UncheckedIOException("clip " + source.id(index) + ": " + e.getMessage(), e);
                }
            }
        };
    }
}
