package dev.surf.models.sched;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Plain-text rendering of a {@link FlowSchedule}, for {@code surf schedule}. */
public final class ScheduleTable {
    private ScheduleTable() {
    }

    /** Column titles matching {@link #lines}. */
    public static String header() {
        return String.format(Locale.ROOT, "%4s %5s %s", "step", "t", "sigma");
    }

    /**
     * One line per step: the step index, the integer timestep fed to the model, and the float32 solver
     * sigma with 9 significant digits, enough for {@code Float.parseFloat} to give back the same float.
     */
    public static List<String> lines(FlowSchedule s) {
        List<String> out = new ArrayList<>(s.steps());
        for (int i = 0; i < s.steps(); i++) {
            out.add(String.format(Locale.ROOT, "%4d %5d %.9g", i, s.timestep(i), (double) s.solverSigma(i)));
        }
        return out;
    }
}
