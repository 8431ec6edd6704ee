package dev.surf.core.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link LrSchedule} at the edges of its pieces, against the analytic values. */
class LrScheduleTest {

    @Test
    void warmupThenConstant() {
        LrSchedule s = LrSchedule.constant(1e-3, 10);
        assertEquals(1e-4, s.at(1), 1e-18);
        assertEquals(5e-4, s.at(5), 1e-18);
        assertEquals(1e-3, s.at(10), 0);
        assertEquals(1e-3, s.at(11), 0);
        assertEquals(1e-3, s.at(1_000_000), 0);
        assertEquals(2e-3, LrSchedule.constant(2e-3, 0).at(1), 0, "no warm-up starts at the peak");
    }

    @Test
    void warmupThenCosineToTheFloor() {
        double peak = 1e-3;
        double floor = 1e-5;
        LrSchedule s = LrSchedule.cosine(peak, 100, 1100, floor);
        assertEquals(peak / 100, s.at(1), 1e-18);
        assertEquals(peak, s.at(100), 0, "end of warm-up is the peak");
        // One step into the cosine: floor + (peak - floor) (1 + cos(pi / 1000)) / 2.
        assertEquals(floor + (peak - floor) * (1 + Math.cos(Math.PI / 1000)) / 2, s.at(101), 1e-18);
        assertEquals((peak + floor) / 2, s.at(600), 1e-15, "half way is the mean of peak and floor");
        assertEquals(floor + (peak - floor) * (1 + Math.cos(Math.PI * 0.75)) / 2, s.at(850), 1e-15);
        assertEquals(floor, s.at(1100), 0);
        assertEquals(floor, s.at(5000), 0);
        for (long t = 101; t <= 1100; t++) {
            assertTrue(s.at(t) <= s.at(t - 1), "cosine must not increase at step " + t);
        }
    }

    @Test
    void specRoundTripsExactly() {
        for (LrSchedule s : new LrSchedule[] {LrSchedule.constant(0.1 + 0.2, 7),
                LrSchedule.cosine(3.3e-4, 0, 12345, 1.0 / 3 * 1e-6)}) {
            LrSchedule back = LrSchedule.parse(s.spec());
            assertEquals(s, back);
            for (long t = 1; t < 20000; t += 997) {
                assertEquals(Double.doubleToLongBits(s.at(t)), Double.doubleToLongBits(back.at(t)), s.spec());
            }
        }
    }

    @Test
    void badInputGivesOneLine() {
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.cosine(1e-3, 100, 100, 0));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.cosine(1e-3, 0, 100, 2e-3));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.constant(1e-3, 0).at(0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LrSchedule.parse("linear peak=1"));
        assertTrue(e.getMessage().contains("'linear peak=1'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.parse("cosine peak=x warmup=1 total=2 floor=0"));
    }
}
