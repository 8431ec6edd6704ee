package dev.surf.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TimeWindowTest {

    /**
     * Independent statement of spec/surf.md §3: roll the frame list by -s, cut windows of Wt in the
     * rolled order, and let two frames see each other iff they share a window and are both wrapped or
     * both not wrapped (the wrapped ones are the s frames moved from the front to the back).
     */
    private static boolean allowed(int frames, int wt, int s, int qf, int kf) {
        if (wt >= frames) {
            return true;
        }
        int[] rolled = new int[frames];
        for (int p = 0; p < frames; p++) {
            rolled[p] = (p + s) % frames;
        }
        int pq = -1;
        int pk = -1;
        for (int p = 0; p < frames; p++) {
            if (rolled[p] == qf) {
                pq = p;
            }
            if (rolled[p] == kf) {
                pk = p;
            }
        }
        boolean wq = pq >= frames - s;
        boolean wk = pk >= frames - s;
        return pq / wt == pk / wt && wq == wk;
    }

    @Test
    void rangesEqualTheRolledDefinition() {
        for (int frames = 1; frames <= 13; frames++) {
            for (int wt = 1; wt <= 15; wt++) {
                for (int s = 0; s < wt; s++) {
                    TimeWindow w = new TimeWindow(frames, 3, wt, s);
                    for (int q = 0; q < frames; q++) {
                        for (int k = 0; k < frames; k++) {
                            boolean inRange = k >= w.keyFrameStart(q) && k < w.keyFrameEnd(q);
                            assertEquals(allowed(frames, wt, wt >= frames ? 0 : s, q, k), inRange,
                                    "F=" + frames + " Wt=" + wt + " s=" + s + " q=" + q + " k=" + k);
                        }
                    }
                }
            }
        }
    }

    @Test
    void localFrameIsThePositionInTheRolledWindow() {
        TimeWindow w = new TimeWindow(8, 1, 4, 2);
        // rolled order: 2 3 4 5 | 6 7 0 1
        int[] expect = {2, 3, 0, 1, 2, 3, 0, 1};
        for (int f = 0; f < 8; f++) {
            assertEquals(expect[f], w.localFrame(f), "frame " + f);
        }
    }

    @Test
    void rejectsBadParameters() {
        assertThrows(IllegalArgumentException.class, () -> new TimeWindow(0, 1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new TimeWindow(4, 1, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> new TimeWindow(4, 1, 2, -1));
    }
}
