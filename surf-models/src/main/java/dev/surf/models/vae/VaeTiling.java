package dev.surf.models.vae;

/**
 * Spatial tiling of VAE encode and decode, in latent units (a latent pixel is 8x8 video pixels):
 * square tiles of {@code tile} latent pixels overlapping by {@code overlap}, blended linearly
 * ({@link TileGrid}). Tiling trades exactness for memory: each tile is encoded or decoded as a video
 * of its own, so the middle block's attention and the convolutions' zero padding see only the tile;
 * the blend hides the seams but the result is not the untiled one (docs/vae.md, "Tiling").
 *
 * @param tile    tile side in latent pixels (default 32: 256 video pixels)
 * @param overlap overlap between neighbours in latent pixels (default 8: 64 video pixels)
 */
public record VaeTiling(int tile, int overlap) {
    /** 256-pixel tiles overlapping by 64 pixels. */
    public static final VaeTiling DEFAULT = new VaeTiling(32, 8);

    /**
     * Frames with more pixels than this are tiled unless tiling is forced either way: 1280x720 and
     * smaller decode whole, 1920x1080 and larger in tiles. Chosen from the measured peak of live
     * tensors of the real-width VAE (VaeMemoryMeasurement, docs/vae.md "Tiling"): untiled, the decoder
     * holds 22,131 bytes per output pixel and the encoder 17,497 per input pixel, whatever the frame
     * count, so 20.4 GB at 1280x720 (fits a 24 GB device with the weights) and 45.9 GB at 1920x1080
     * (does not); 256-pixel tiles hold 1.45 GB plus the 3-channel output.
     */
    public static final long AUTO_PIXELS = 1280L * 720L;

    public VaeTiling {
        if (tile < 1 || overlap < 0 || 3 * overlap > tile) {
            throw new IllegalArgumentException("VAE tiles of " + tile + " latent pixels with overlap " + overlap
                    + ": need a positive tile and an overlap of at most a third of it");
        }
    }

    /** Whether a frame of width x height video pixels is tiled when the user did not choose. */
    public static boolean auto(int width, int height) {
        return (long) width * height > AUTO_PIXELS;
    }
}
