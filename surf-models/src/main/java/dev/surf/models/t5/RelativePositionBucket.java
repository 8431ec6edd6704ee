package dev.surf.models.t5;

/**
 * T5's bidirectional relative position buckets ({@code T5RelativeEmbedding._relative_position_bucket},
 * spec/wan21.md §5.3). For {@code rel = key_pos - query_pos}, half of the buckets serve rel > 0
 * (offset numBuckets/2), the other half {@code rel <= 0}; within a half, distances below numBuckets/4 get a
 * bucket each and larger ones share logarithmically spaced buckets up to {@link #MAX_DISTANCE}.
 *
 * <p>The logarithm is evaluated in float32 as the official code does ({@code torch.log} of a float
 * tensor, divided by {@code log(max_dist / max_exact)}, times the bucket count, truncated): at the
 * distances 16, 32 and 64 the real-number value is an exact integer, and only the same rounding
 * lands on the same side of it.
 */
public final class RelativePositionBucket {
    /** Distance from which all larger distances share the last bucket of their direction. */
    public static final int MAX_DISTANCE = 128;

    private RelativePositionBucket() {
    }

    /** The bucket of a relative position {@code rel = key - query} among numBuckets (even) buckets. */
    public static int bucket(int rel, int numBuckets) {
        int half = numBuckets / 2;
        int base = rel > 0 ? half : 0;
        int a = Math.abs(rel);
        int maxExact = half / 2;
        if (a < maxExact) {
            return base + a;
        }
        float scaled = (float) Math.log((float) a / maxExact) / (float) Math.log((double) MAX_DISTANCE / maxExact)
                * (half - maxExact);
        return base + Math.min(half - 1, maxExact + (int) scaled);
    }

    /** The bucket of every (query i, key j) pair of a length-l sequence, row-major [l, l]. */
    public static int[] table(int l, int numBuckets) {
        int[] out = new int[l * l];
        // the bucket depends on j - i only: compute each of the 2l - 1 offsets once
        int[] byOffset = new int[2 * l - 1];
        for (int r = -(l - 1); r <= l - 1; r++) {
            byOffset[r + l - 1] = bucket(r, numBuckets);
        }
        for (int i = 0; i < l; i++) {
            for (int j = 0; j < l; j++) {
                out[i * l + j] = byOffset[j - i + l - 1];
            }
        }
        return out;
    }
}
