package dev.surf.models.sched;

import java.util.Locale;

/** The samplers the engine offers, with the schedule each is paired with. */
public enum SolverKind {
    /** Official default: FlowUniPC on the official UniPC grid. */
    UNIPC("unipc"),
    /** Flow Euler on the {@code get_sampling_sigmas} grid (first sigma 1). */
    EULER("euler");

    private final String cliName;

    SolverKind(String cliName) {
        this.cliName = cliName;
    }

    /** The name used on the command line and in configs ("unipc", "euler"). */
    public String cliName() {
        return cliName;
    }

    /** Parses a command-line name, case-insensitively. */
    public static SolverKind fromName(String name) {
        for (SolverKind k : values()) {
            if (k.cliName.equals(name.toLowerCase(Locale.ROOT))) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown solver '" + name + "': expected unipc or euler");
    }

    /** The schedule this solver uses for the given steps and shift. */
    public FlowSchedule schedule(int steps, double shift) {
        return this == UNIPC ? FlowSchedule.unipc(steps, shift) : FlowSchedule.euler(steps, shift);
    }

    /** A new float32 solver of this kind over the schedule. */
    public Solver create(FlowSchedule schedule) {
        return this == UNIPC ? new FlowUniPcSolver(schedule) : new EulerSolver(schedule);
    }
}
