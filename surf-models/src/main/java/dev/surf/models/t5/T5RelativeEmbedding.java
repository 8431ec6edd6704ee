package dev.surf.models.t5;

import dev.surf.core.Backend;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import java.io.IOException;

/**
 * {@code T5RelativeEmbedding}: a learned [num_buckets, num_heads] table turned into the additive
 * attention bias of a sequence, {@code bias[h, i, j] = table[bucket(j - i), h]}. Built on the host:
 * at most 512 x 512 entries per head, once per block and forward.
 */
final class T5RelativeEmbedding {
    private final float[] table;
    private final int numBuckets;
    private final int numHeads;

    T5RelativeEmbedding(T5Weights w, String name, int numBuckets, int numHeads) throws IOException {
        this.table = w.host(name + ".embedding.weight", Shape.of(numBuckets, numHeads));
        this.numBuckets = numBuckets;
        this.numHeads = numHeads;
    }

    /** The bias of a length-l self-attention, F32 [num_heads, l, l] (the layout {@link Backend#attention} takes). */
    Tensor bias(Backend be, int l, int[] buckets) {
        float[] out = new float[numHeads * l * l];
        for (int h = 0; h < numHeads; h++) {
            int base = h * l * l;
            for (int p = 0; p < l * l; p++) {
                out[base + p] = table[buckets[p] * numHeads + h];
            }
        }
        return be.fromFloats(out, Shape.of(numHeads, l, l));
    }

    int numBuckets() {
        return numBuckets;
    }
}
