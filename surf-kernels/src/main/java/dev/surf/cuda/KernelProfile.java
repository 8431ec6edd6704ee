package dev.surf.cuda;

import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUstream;

/**
 * Device time per kernel, for finding where a model's time goes: while on, every launch is bracketed
 * by a pair of CUDA events on the backend's stream, and {@link #report} sums the intervals by kernel
 * name. Events do not synchronise, so the work keeps its order and overlap; the events themselves
 * cost about a microsecond per launch, which is why this is off unless asked for. Copies and host
 * work are not launches: the gap between the kernels' total and the wall time is theirs. Launches
 * may come from any thread.
 */
final class KernelProfile {
    private record Mark(String name, CUevent start, CUevent end) {
    }

    private final List<Mark> marks = new ArrayList<>();

    /** Records the start event of a launch of {@code name} on {@code stream}; pass the result to {@link #after}. */
    synchronized Object before(String name, CUstream stream) {
        Mark m = new Mark(name, event(), event());
        Cu.check(cuEventRecord(m.start, stream), "cuEventRecord");
        marks.add(m);
        return m;
    }

    synchronized void after(Object mark, CUstream stream) {
        Cu.check(cuEventRecord(((Mark) mark).end, stream), "cuEventRecord");
    }

    private static CUevent event() {
        CUevent e = new CUevent();
        Cu.check(cuEventCreate(e, CUevent_flags.CU_EVENT_DEFAULT), "cuEventCreate");
        return e;
    }

    /**
     * The launches recorded so far, one line per kernel name sorted by total time (calls, total ms,
     * mean us, share), then clears them. The caller must have synchronised the stream.
     */
    synchronized String report() {
        Map<String, double[]> byName = new LinkedHashMap<>();
        double total = 0;
        float[] ms = new float[1];
        for (Mark m : marks) {
            Cu.check(cuEventElapsedTime(ms, m.start, m.end), "cuEventElapsedTime");
            double[] acc = byName.computeIfAbsent(m.name, n -> new double[2]);
            acc[0]++;
            acc[1] += ms[0];
            total += ms[0];
        }
        clear();
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-44s %7s %10s %10s %6s%n",
                "kernel", "calls", "total ms", "mean us", "share"));
        List<Map.Entry<String, double[]>> rows = new ArrayList<>(byName.entrySet());
        rows.sort(Comparator.comparingDouble((Map.Entry<String, double[]> e) -> e.getValue()[1]).reversed());
        for (Map.Entry<String, double[]> e : rows) {
            double[] a = e.getValue();
            sb.append(String.format(Locale.ROOT, "%-44s %7d %10.3f %10.1f %5.1f%%%n", e.getKey(), (long) a[0], a[1],
                    1000 * a[1] / a[0], total == 0 ? 0 : 100 * a[1] / total));
        }
        long calls = rows.stream().mapToLong(e -> (long) e.getValue()[0]).sum();
        sb.append(String.format(Locale.ROOT, "%-44s %7d %10.3f%n", "all kernels", calls, total));
        return sb.toString();
    }

    /** Destroys the recorded events. */
    synchronized void clear() {
        for (Mark m : marks) {
            Cu.check(cuEventDestroy(m.start), "cuEventDestroy");
            Cu.check(cuEventDestroy(m.end), "cuEventDestroy");
        }
        marks.clear();
    }
}
