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
 * Small int tables that kernels read (per-frame key ranges of a time window, per-item key lengths),
 * uploaded once and cached by content: a sampler calls attention with the same window and lengths in
 * every block of every step, and an upload costs a synchronisation. At most {@value #MAX} tables are
 * kept; evicting one is safe at any time because later uploads are queued behind the kernels that
 * still read it.
 */
final class DeviceTables implements AutoCloseable {
    private static final int MAX = 64;

    private final CudaBackend backend;
    private final LinkedHashMap<String, Tensor> cache = new LinkedHashMap<>(16, 0.75f, true);

    DeviceTables(CudaBackend backend) {
        this.backend = backend;
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
        String key = Arrays.toString(data);
        Tensor t = cache.get(key);
        if (t == null) {
            t = backend.alloc(DType.I32, Shape.of(data.length));
            backend.transfer.upload(MemorySegment.ofArray(data), CudaBackend.pointer(t), t.byteOffset());
            cache.put(key, t);
            if (cache.size() > MAX) {
                Iterator<Map.Entry<String, Tensor>> it = cache.entrySet().iterator();
                it.next().getValue().close();
                it.remove();
            }
        }
        return backend.addr(t);
    }

    @Override
    public synchronized void close() {
        for (Tensor t : cache.values()) {
            t.close();
        }
        cache.clear();
    }
}
