package dev.surf.core.cpu;

import dev.surf.core.BackwardChecks;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;

/**
 * The table gradient of an embedding gather: dtable[ids[i]] += dy[i] for every position i. Work is
 * split over column ranges; each column adds the positions in order, so repeated ids sum the same
 * way for any thread count.
 */
final class CpuEmbeddingBackward {
    private CpuEmbeddingBackward() {
    }

    static Tensor backward(CpuBackend be, Tensor dy, int[] ids, int vocab) {
        BackwardChecks.embeddingBackward(dy, ids, vocab);
        int dim = dy.dim(1);
        float[] g = CpuTensors.f32View(dy);
        float[] table = new float[CpuTensors.checkedInt((long) vocab * dim, "embeddingBackward")];
        be.pool().forRange(dim, 64, (lo, hi) -> {
            for (int i = 0; i < ids.length; i++) {
                int row = ids[i] * dim;
                for (int c = lo; c < hi; c++) {
                    table[row + c] += g[i * dim + c];
                }
            }
        });
        return be.wrap(table, Shape.of(vocab, dim));
    }
}
