package dev.surf.core;

/** Argument checks shared by every backend, so a mistake gets the same message on any device. */
public final class OpChecks {
    private OpChecks() {
    }

    /** {@link Backend#embedding}: a 2-D table and at least one id, every id inside the vocabulary. */
    public static void embedding(Tensor table, int[] ids) {
        if (table.rank() != 2) {
            throw new IllegalArgumentException("embedding: table must be [vocab, dim], got " + table.shape());
        }
        if (ids == null || ids.length == 0) {
            throw new IllegalArgumentException("embedding: at least one id is needed");
        }
        int vocab = table.dim(0);
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocab) {
                throw new IllegalArgumentException("embedding: id " + ids[i] + " at position " + i
                        + " is outside the vocabulary [0, " + vocab + ") of table " + table.shape());
            }
        }
    }
}
