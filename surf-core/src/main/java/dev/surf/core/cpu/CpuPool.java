package dev.surf.core.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;

/**
 * Parallel loops for the CPU backend. Work is split over independent output ranges only, never over a
 * reduction, so results do not depend on the thread count.
 */
public final class CpuPool implements AutoCloseable {
    /** Body of a parallel loop over [lo, hi). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int lo, int hi);
    }

    private final ForkJoinPool pool;
    private final int threads;

    public CpuPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("thread count must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.pool = threads == 1 ? null : new ForkJoinPool(threads);
    }

    public int threads() {
        return threads;
    }

    /**
     * Runs body over [0, n) split into contiguous chunks of at least grain items (at most 4 chunks per
     * thread). Exceptions of the body propagate to the caller.
     */
    public void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) {
            return;
        }
        long want = (n + (long) Math.max(1, grain) - 1) / Math.max(1, grain);
        int chunks = (int) Math.min(threads * 4L, want);
        if (pool == null || chunks <= 1) {
            body.run(0, n);
            return;
        }
        RecursiveAction root = new RecursiveAction() {
            @Override
            protected void compute() {
                ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[chunks];
                for (int c = 0; c < chunks; c++) {
                    int lo = (int) ((long) n * c / chunks);
                    int hi = (int) ((long) n * (c + 1) / chunks);
                    tasks[c] = ForkJoinTask.adapt(() -> body.run(lo, hi));
                }
                invokeAll(tasks);
            }
        };
        if (ForkJoinTask.inForkJoinPool() && ForkJoinTask.getPool() == pool) {
            root.invoke();
        } else {
            pool.invoke(root);
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdown();
        }
    }
}
