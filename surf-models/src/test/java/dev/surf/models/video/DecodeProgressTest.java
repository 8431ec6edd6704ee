package dev.surf.models.video;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Progress notes of a decode: throttled, with frames done, time so far and the extrapolated rest. */
class DecodeProgressTest {
    @Test
    void notesEveryFiveSecondsWithFramesAndTimeLeftAndNoneAtTheEnd() throws Exception {
        AtomicLong now = new AtomicLong(1_000_000_000L);
        List<String> notes = new ArrayList<>();
        List<Integer> passed = new ArrayList<>();
        // 13 frames = latents of 1 + 4 + 4 + 4 frames; each chunk takes 3 s on the fake clock
        DecodeProgress p = new DecodeProgress((frames, first) -> passed.add(first), 13, notes::add, now::get);
        try (CpuBackend be = new CpuBackend(1)) {
            int first = 0;
            for (int n : new int[] {1, 4, 4, 4}) {
                now.addAndGet(3_000_000_000L);
                try (Tensor t = be.zeros(DType.F32, Shape.of(3, n, 2, 2))) {
                    p.accept(t, first);
                }
                first += n;
            }
        }
        assertEquals(List.of(0, 1, 5, 9), passed, "every chunk reaches the wrapped sink, in order");
        // 3 s after the first chunk: too soon; 6 s: note (5 of 13 frames, 6 s per 5 frames -> 9.6 s left);
        // 9 s: only 3 s since that note; 12 s: the decode is done, the caller reports the total
        assertEquals(List.of("vae decode: 5/13 frames in 6 s, about 10 s left"), notes);
    }
}
