package dev.surf.models.t5;

import dev.surf.core.Backend;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import java.io.IOException;

/**
 * {@code T5RelativeEmbedding}: a learned [num_buckets, num_heads] table turned into the additive
 * attention bias of a sequence, {@code bias[h, i, j] = table[bucket(j - i), h]}: a row gather of the
 * table by the bucket of every (i, j) pair, then heads moved first, on the device (building 64 x 512 x
 * 512 values on the host and uploading them for each of 24 blocks cost more than the encoder itself).
 */
final class T5RelativeEmbedding {
    private final Tensor table;
    private final int numBuckets;
    private final int numHeads;

    T5RelativeEmbedding(T5Weights w, String name, int numBuckets, int numHeads) throws IOException {
        this.table = w.table(name + ".embedding.weight", Shape.of(numBuckets, numHeads));
        this.numBuckets = numBuckets;
        this.numHeads = numHeads;
    }

    /** The bias of a length-l self-attention, F32 [num_heads, l, l] (the layout {@link Backend#attention} takes). */
    Tensor bias(Backend be, int l, int[] buckets) {
        try (Tensor pairs = be.embedding(table, buckets)) {
            return be.permute(pairs, 1, 0).reshape(numHeads, l, l);
        }
    }

    int numBuckets() {
        return numBuckets;
    }
}
