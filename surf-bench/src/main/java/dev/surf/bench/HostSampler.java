package dev.surf.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where a thread spends its host time while a device run is profiled: samples the thread's stack
 * every few milliseconds and counts the innermost engine frame (the first {@code dev.surf} frame from
 * the top) together with the method actually on top. A backend that only queues work shows up
 * waiting in a synchronise; host-side work between launches (a copy, a table built on the host, a
 * fallback) shows up under its own frame. Stack sampling is biased towards safepoints, so shares
 * are rough; enough to tell "the GPU is busy" from "the host is".
 */
final class HostSampler implements AutoCloseable {
    private final Thread target;
    private final Thread sampler;
    private final Map<String, Integer> counts = new HashMap<>();
    private volatile boolean running = true;
    private int samples;

    /** Starts sampling {@code target} every {@code periodMs} milliseconds. */
    HostSampler(Thread target, int periodMs) {
        this.target = target;
        this.sampler = Thread.ofPlatform().daemon().name("host-sampler").start(() -> {
            while (running) {
                record(target.getStackTrace());
                try {
                    Thread.sleep(periodMs);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    private synchronized void record(StackTraceElement[] stack) {
        if (stack.length == 0) {
            return;
        }
        String top = stack[0].getClassName() + "." + stack[0].getMethodName();
        String engine = "(no engine frame)";
        for (StackTraceElement f : stack) {
            if (f.getClassName().startsWith("dev.surf.") && !f.getClassName().startsWith("dev.surf.bench.")) {
                engine = f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1) + "." + f.getMethodName()
                        + ":" + f.getLineNumber();
                break;
            }
        }
        counts.merge(engine + "  <-  " + top, 1, Integer::sum);
        samples++;
    }

    /** The {@code limit} most frequent (engine frame, top frame) pairs with their share of the samples. */
    synchronized String report(int limit) {
        List<Map.Entry<String, Integer>> rows = new ArrayList<>(counts.entrySet());
        rows.sort((a, b) -> b.getValue() - a.getValue());
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "host samples of %s: %d%n", target.getName(), samples));
        for (Map.Entry<String, Integer> e : rows.subList(0, Math.min(limit, rows.size()))) {
            sb.append(String.format(Locale.ROOT, "%5.1f%%  %s%n", 100.0 * e.getValue() / Math.max(1, samples), e.getKey()));
        }
        return sb.toString();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        sampler.interrupt();
        sampler.join();
    }
}
