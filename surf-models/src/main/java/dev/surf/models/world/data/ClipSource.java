package dev.surf.models.world.data;

import java.io.IOException;

/**
 * Where the DiT's training clips come from: a numbered set of clips of one size and length, each
 * with its caption. {@link WorldLatents} encodes them; the procedural world's renderer and a folder
 * of videos ({@link FolderClips}) are two sources.
 */
public interface ClipSource {
    /** How many clips there are (at least 1). */
    int size();

    /** Frame width of every clip. */
    int width();

    /** Frame height of every clip. */
    int height();

    /** Frames per clip (1 + 4n, the VAE's rule). */
    int frameCount();

    /** Clip {@code index}'s frames, planar [3, frameCount, height, width] in [-1, 1]; the same index gives the same values. */
    float[] frames(int index) throws IOException;

    /** Clip {@code index}'s caption (the empty prompt when it has none). */
    String caption(int index);

    /**
     * A stable identity of clip {@code index} (what its pixels are a function of, e.g. the world seed
     * and the clip number, or a file and its first frame), used as the key of the latent cache.
     */
    String id(int index);
}
