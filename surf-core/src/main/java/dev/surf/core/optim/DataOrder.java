package dev.surf.core.optim;

import dev.surf.core.Philox;

/**
 * The order in which a training run visits the samples of a data set: in every epoch a fresh
 * permutation of {@code 0 .. size-1} drawn from the seed, so a run can be repeated exactly and
 * resumed from a {@link Position} (epoch, index within the epoch) without replaying anything.
 *
 * <p>Epoch e's permutation is a Fisher-Yates shuffle whose i-th draw comes from the Philox4x32-10
 * block at counter (i, e low, e high, "DORD") under key (seed low, seed high), reduced to [0, i]
 * by a 64-bit multiply-high (bias below size / 2^64). Being counter-based, it depends on nothing
 * but (seed, size, epoch): no generator state to save.
 */
public final class DataOrder {
    /** Philox counter word that keeps this stream apart from other uses of the same seed. */
    private static final int STREAM = 0x44524F44; // "DORD"

    /** Where a run stands: the epoch and the index of the next sample within its permutation. */
    public record Position(long epoch, int index) {
        /** Checks that both are non-negative. */
        public Position {
            if (epoch < 0 || index < 0) {
                throw new IllegalArgumentException("data position must be non-negative, got epoch " + epoch
                        + " index " + index);
            }
        }
    }

    private final long seed;
    private final int size;
    private long epoch;
    private int index;
    private int[] order;

    /** A data order at the start of epoch 0. */
    public DataOrder(long seed, int size) {
        this(seed, size, new Position(0, 0));
    }

    /** A data order resuming at {@code at} (index must be below size). */
    public DataOrder(long seed, int size, Position at) {
        if (size < 1) {
            throw new IllegalArgumentException("data order: the data set must hold at least one sample, got " + size);
        }
        if (at.index() >= size) {
            throw new IllegalArgumentException("data order: index " + at.index() + " lies outside an epoch of "
                    + size + " samples");
        }
        this.seed = seed;
        this.size = size;
        this.epoch = at.epoch();
        this.index = at.index();
    }

    /** The seed. */
    public long seed() {
        return seed;
    }

    /** Samples per epoch. */
    public int size() {
        return size;
    }

    /** The position of the next sample. */
    public Position position() {
        return new Position(epoch, index);
    }

    /** The next sample's id; advances the position, rolling over into the next epoch. */
    public int next() {
        if (order == null) {
            order = permutation(epoch);
        }
        int id = order[index];
        if (++index == size) {
            index = 0;
            epoch++;
            order = null;
        }
        return id;
    }

    /** The next {@code n} sample ids (a batch), in order. */
    public int[] next(int n) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = next();
        }
        return ids;
    }

    /** Epoch e's permutation of 0 .. size-1 (a new array). */
    public int[] permutation(long e) {
        int[] p = new int[size];
        for (int i = 0; i < size; i++) {
            p[i] = i;
        }
        int[] block = new int[4];
        for (int i = size - 1; i > 0; i--) {
            Philox.block(i, (int) e, (int) (e >>> 32), STREAM, (int) seed, (int) (seed >>> 32), block);
            long bits = ((long) block[0] << 32) | (block[1] & 0xffffffffL);
            int j = (int) Math.unsignedMultiplyHigh(bits, i + 1L);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
