package dev.surf.bench;

import dev.surf.core.cpu.CpuMatmul;
import dev.surf.core.cpu.CpuPool;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;

/**
 * Times {@link CpuMatmul#gemm} on the shapes given as arguments and prints the best GFLOP/s of each,
 * one line "label gflops" per shape, for surf-bench/scripts/gemm-vs-openblas.sh, which runs numpy on
 * OpenBLAS over the same shapes in the same script run.
 *
 * <p>Arguments: threads, repetitions, then shapes {@code label:transA:transB:m:n:k} (transA/transB
 * 0 or 1, layouts as in CpuMatmul: op(A) m x k, op(B) k x n).
 *
 * <p>With {@code -Dsurf.bench.cpuTime=true} and 1 thread (the product then runs on the calling
 * thread) the figure is FLOPs per second of that thread's CPU time instead of wall time: on a
 * machine shared with other jobs this compares kernel variants without the time other processes
 * took (cache and core sharing still show).
 */
public final class GemmShapesMain {
    private static final boolean CPU_TIME = Boolean.getBoolean("surf.bench.cpuTime");

    private GemmShapesMain() {
    }

    public static void main(String[] args) {
        if (args.length < 3) {
            System.err.println("usage: GemmShapesMain THREADS REPS label:transA:transB:m:n:k ...");
            System.exit(2);
        }
        int threads = Integer.parseInt(args[0]);
        int reps = Integer.parseInt(args[1]);
        if (CPU_TIME && threads != 1) {
            System.err.println("surf.bench.cpuTime needs THREADS 1 (the product must run on the timed thread)");
            System.exit(2);
        }
        try (CpuPool pool = new CpuPool(threads)) {
            for (int s = 2; s < args.length; s++) {
                String[] f = args[s].split(":");
                if (f.length != 6) {
                    System.err.println("bad shape '" + args[s] + "': want label:transA:transB:m:n:k");
                    System.exit(2);
                }
                System.out.printf("%s %.1f%n", f[0], best(pool, f[1].equals("1"), f[2].equals("1"),
                        Integer.parseInt(f[3]), Integer.parseInt(f[4]), Integer.parseInt(f[5]), reps));
            }
        }
    }

    /** Best GFLOP/s over reps timed calls, after two untimed calls that let the JIT compile the kernel. */
    private static double best(CpuPool pool, boolean ta, boolean tb, int m, int n, int k, int reps) {
        SplittableRandom rnd = new SplittableRandom(1);
        float[] a = random(rnd, m * k);
        float[] b = random(rnd, k * n);
        float[] c = new float[m * n];
        int lda = ta ? m : k;
        int ldb = tb ? k : n;
        long bestNs = Long.MAX_VALUE;
        for (int r = -2; r < reps; r++) {
            long t0 = now();
            CpuMatmul.gemm(pool, ta, tb, m, n, k, a, 0, lda, b, 0, ldb, c, 0, n, false);
            long dt = now() - t0;
            if (r >= 0) {
                bestNs = Math.min(bestNs, dt);
            }
        }
        return 2.0 * m * n * k / bestNs;
    }

    private static long now() {
        return CPU_TIME ? ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() : System.nanoTime();
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return v;
    }
}
