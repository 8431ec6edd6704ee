package dev.surf.models.pipeline;

/**
 * A video size in pixels and its Wan latent size: the VAE compresses 4x in time (the first frame
 * kept) and 8x in space, so frames = 4n+1 and, with the DiT's 2x2 patches, width and height are
 * multiples of 16 (spec/wan21.md §3.3).
 *
 * @param width  pixels
 * @param height pixels
 * @param frames video frames (4n+1)
 */
public record VideoSize(int width, int height, int frames) {
    public static final int SPATIAL_STRIDE = 8;
    public static final int TEMPORAL_STRIDE = 4;

    public VideoSize {
        if (width < 16 || height < 16 || width % 16 != 0 || height % 16 != 0) {
            throw new IllegalArgumentException("video size " + width + "x" + height
                    + " must be at least 16x16 with width and height multiples of 16 (VAE stride 8 x patch 2)");
        }
        if (width > Limits.MAX_SIDE || height > Limits.MAX_SIDE) {
            throw new IllegalArgumentException("video size " + width + "x" + height + " exceeds the limit of "
                    + Limits.MAX_SIDE + " pixels per side");
        }
        if (frames < 1 || (frames - 1) % TEMPORAL_STRIDE != 0 || frames > Limits.MAX_FRAMES) {
            throw new IllegalArgumentException("frame count " + frames + " must be 4n+1 (1, 5, ..., 81) and at most " + Limits.MAX_FRAMES);
        }
    }

    /** Parses "WIDTHxHEIGHT" or the official "WIDTH*HEIGHT" form. */
    public static VideoSize parse(String size, int frames) {
        String[] p = size.trim().toLowerCase(java.util.Locale.ROOT).split("[x*]");
        if (p.length != 2) {
            throw new IllegalArgumentException("size '" + size + "' must look like 832x480 (width x height)");
        }
        try {
            return new VideoSize(Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim()), frames);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("size '" + size + "' must look like 832x480 (width x height)");
        }
    }

    /** The video size of a latent of the given dimensions. */
    public static VideoSize ofLatent(int latentFrames, int latentHeight, int latentWidth) {
        return new VideoSize(latentWidth * SPATIAL_STRIDE, latentHeight * SPATIAL_STRIDE,
                (latentFrames - 1) * TEMPORAL_STRIDE + 1);
    }

    public int latentFrames() {
        return (frames - 1) / TEMPORAL_STRIDE + 1;
    }

    public int latentHeight() {
        return height / SPATIAL_STRIDE;
    }

    public int latentWidth() {
        return width / SPATIAL_STRIDE;
    }

    @Override
    public String toString() {
        return width + "x" + height + "x" + frames;
    }
}
