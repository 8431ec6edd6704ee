package dev.surf.cuda;

import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.TimeWindow;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Int tables that kernels read (per-frame key ranges of a time window, per-item key lengths, the row
 * ids of an embedding lookup), uploaded once and cached by content: a sampler calls attention with the
 * same window and lengths in every block of every step, the T5 encoder gathers its relative-position
 * bias with the same 262144 bucket ids in each of 24 blocks, and an upload costs a synchronisation.
 * At most {@value #MAX} tables and {@value #MAX_INTS} ints in all are kept, least recently used
 * evicted first; evicting one is safe at any time because later uploads are queued behind the kernels
 * that still read it.
 */
final class DeviceTables implements AutoCloseable {
    private static final int MAX = 64;
    private static final long MAX_INTS = 4L << 20;

    /** A table's content as a map key, with its hash computed once (hashing 262144 ints is not free). */
    private record Key(int[] data, int hash) {
        Key(int[] data) {
            this(data, Arrays.hashCode(data));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && Arrays.equals(k.data, data);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private final CudaRuntime rt;
    private final LinkedHashMap<Key, Tensor> cache = new LinkedHashMap<>(16, 0.75f, true);
    private long ints;

    DeviceTables(CudaRuntime rt) {
        this.rt = rt;
    }

    /**
     * The key-token range [start, end) that queries of each frame may attend to, as TimeWindow defines
     * it, flattened to (start0, end0, start1, end1, ...): the kernels' int2 frameRanges table.
     */
    static int[] frameRanges(TimeWindow w) {
        int[] r = new int[2 * w.frames()];
        for (int f = 0; f < w.frames(); f++) {
            r[2 * f] = w.keyFrameStart(f) * w.tokensPerFrame();
            r[2 * f + 1] = w.keyFrameEnd(f) * w.tokensPerFrame();
        }
        return r;
    }

    /** Device address of a table holding {@code data} (the caller's context is current). */
    synchronized long table(int[] data) {
        Key probe = new Key(data);
        Tensor t = cache.get(probe);
        if (t == null) {
            Key key = new Key(data.clone(), probe.hash());  // the caller may reuse its array
            t = rt.alloc(DType.I32, Shape.of(data.length));
            rt.upload(MemorySegment.ofArray(data), t);
            cache.put(key, t);
            ints += data.length;
            Iterator<Map.Entry<Key, Tensor>> it = cache.entrySet().iterator();
            while (cache.size() > 1 && (cache.size() > MAX || ints > MAX_INTS)) {
                Tensor old = it.next().getValue();
                ints -= old.numel();
                old.close();
                it.remove();
            }
        }
        return rt.addr(t);
    }

    @Override
    public synchronized void close() {
        for (Tensor t : cache.values()) {
            t.close();
        }
        cache.clear();
        ints = 0;
    }
}
