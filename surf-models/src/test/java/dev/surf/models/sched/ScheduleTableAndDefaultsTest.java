package dev.surf.models.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The schedule table's format, the defaults record and the official negative prompt. */
class ScheduleTableAndDefaultsTest {

    @Test
    void tableRoundTripsTimestepsAndSigmas() {
        FlowSchedule s = FlowSchedule.unipc(50, 5.0);
        List<String> lines = ScheduleTable.lines(s);
        assertEquals(50, lines.size());
        for (int i = 0; i < lines.size(); i++) {
            String[] f = lines.get(i).trim().split("\\s+");
            assertEquals(3, f.length, lines.get(i));
            assertEquals(i, Integer.parseInt(f[0]));
            assertEquals(s.timestep(i), Long.parseLong(f[1]));
            assertEquals(Float.floatToIntBits(s.solverSigma(i)), Float.floatToIntBits(Float.parseFloat(f[2])), lines.get(i));
        }
        // spec §3.4: first timestep 999 at float32 sigma 0.99979985, last 92 at 0.092506856
        assertEquals("   0   999 0.999799848", lines.get(0));
        assertTrue(lines.get(49).startsWith("  49    92 0.0925068"), lines.get(49));
        assertTrue(ScheduleTable.header().contains("sigma"));
    }

    @Test
    void negativePromptIsTheOfficialString() {
        String p = WanDefaults.NEGATIVE_PROMPT_ZH;
        assertEquals(137, p.length()); // spec §3.2: 137 characters
        assertTrue(p.startsWith("色调艳丽，过曝，静态，"));
        assertTrue(p.endsWith("背景人很多，倒着走"));
    }

    @Test
    void officialDefaults() {
        WanDefaults d = WanDefaults.T2V;
        assertEquals(50, d.steps());
        assertEquals(5.0, d.shift());
        assertEquals(5.0, d.guideScale());
        assertEquals(SolverKind.UNIPC, d.solver());
        assertEquals(81, d.frameNum());
        assertEquals(16, d.fps());
        assertEquals(8.0, WanDefaults.T2V_1_3B_README.shift());
        assertEquals(6.0, WanDefaults.T2V_1_3B_README.guideScale());
    }

    @Test
    void solverKindsByName() {
        assertEquals(SolverKind.UNIPC, SolverKind.fromName("unipc"));
        assertEquals(SolverKind.EULER, SolverKind.fromName("Euler"));
        assertThrows(IllegalArgumentException.class, () -> SolverKind.fromName("dpm++"));
        assertEquals(FlowSchedule.Grid.EULER, SolverKind.EULER.schedule(5, 3.0).grid());
        assertTrue(SolverKind.UNIPC.create(FlowSchedule.unipc(5, 3.0)) instanceof FlowUniPcSolver);
    }
}
