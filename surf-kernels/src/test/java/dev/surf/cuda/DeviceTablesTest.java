package dev.surf.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.TimeWindow;
import org.junit.jupiter.api.Test;

/** The per-frame key ranges the attention kernels receive (pure arithmetic, runs without a GPU). */
class DeviceTablesTest {

    @Test
    void frameRangesFollowTimeWindow() {
        for (int frames = 1; frames <= 9; frames++) {
            for (int w = 1; w <= frames + 1; w++) {
                for (int s = 0; s < w; s++) {
                    TimeWindow tw = new TimeWindow(frames, 7, w, s);
                    int[] r = DeviceTables.frameRanges(tw);
                    assertEquals(2 * frames, r.length);
                    for (int f = 0; f < frames; f++) {
                        assertEquals(tw.keyFrameStart(f) * 7, r[2 * f]);
                        assertEquals(tw.keyFrameEnd(f) * 7, r[2 * f + 1]);
                        assertTrue(r[2 * f] <= f * 7 && f * 7 < r[2 * f + 1], "a frame always sees itself");
                    }
                }
            }
        }
    }
}
