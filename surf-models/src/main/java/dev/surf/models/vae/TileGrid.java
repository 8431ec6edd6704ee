package dev.surf.models.vae;

import java.util.ArrayList;
import java.util.List;

/**
 * Overlapping tiles along one axis, in latent units, and their linear blending weights.
 *
 * <p>The rule: n = ceil((N - O) / (S - O)) tiles (1 when N <= S), sizes as equal as possible (they
 * differ by at most one), and every two neighbours overlap by exactly O. In an overlap of L output
 * samples the left tile weighs (L - i - 0.5) / L and the right one (i + 0.5) / L at sample i, so the
 * weights of the two sum to exactly 1 everywhere and the blend needs no normalisation; outside
 * overlaps a tile weighs 1. O <= S / 3 keeps a tile's two overlaps apart, so no sample is covered
 * by more than two tiles along an axis (four at a corner, with product weights that again sum to 1).
 *
 * @param starts first latent index of each tile
 * @param sizes  latent extent of each tile
 */
record TileGrid(int[] starts, int[] sizes) {

    /**
     * The tiles covering n latent positions with tile size {@code tile} and overlap {@code overlap}.
     *
     * @throws IllegalArgumentException when overlap is negative or more than a third of the tile
     */
    static TileGrid of(int n, int tile, int overlap) {
        if (n < 1 || tile < 1 || overlap < 0 || 3 * overlap > tile) {
            throw new IllegalArgumentException("tiles of " + tile + " with overlap " + overlap + " over " + n
                    + ": need a positive size and an overlap of at most a third of the tile");
        }
        if (n <= tile) {
            return new TileGrid(new int[] {0}, new int[] {n});
        }
        int count = (n - overlap + (tile - overlap) - 1) / (tile - overlap);
        int total = n + (count - 1) * overlap;
        int[] starts = new int[count];
        int[] sizes = new int[count];
        int at = 0;
        for (int k = 0; k < count; k++) {
            sizes[k] = total / count + (k < total % count ? 1 : 0);
            starts[k] = at;
            at += sizes[k] - overlap;
        }
        return new TileGrid(starts, sizes);
    }

    int count() {
        return starts.length;
    }

    /**
     * The weights of tile k for its {@code sizes[k] * scale} output samples (scale 8 for decoded
     * pixels, 1 for latents): ramps over the overlaps with its neighbours, 1 elsewhere.
     */
    float[] weights(int k, int scale) {
        int len = sizes[k] * scale;
        float[] w = new float[len];
        java.util.Arrays.fill(w, 1f);
        if (k > 0) {
            int l = (starts[k - 1] + sizes[k - 1] - starts[k]) * scale;
            for (int i = 0; i < l; i++) {
                w[i] = (float) ((i + 0.5) / l);
            }
        }
        if (k < count() - 1) {
            int l = (starts[k] + sizes[k] - starts[k + 1]) * scale;
            for (int i = 0; i < l; i++) {
                w[len - l + i] = (float) ((l - i - 0.5) / l);
            }
        }
        return w;
    }

    /** All tiles as (start, size) pairs, for messages and tests. */
    List<int[]> spans() {
        List<int[]> s = new ArrayList<>();
        for (int k = 0; k < count(); k++) {
            s.add(new int[] {starts[k], sizes[k]});
        }
        return s;
    }
}
