package dev.surf.models.cli;

import dev.surf.models.sched.FlowSchedule;
import dev.surf.models.sched.ScheduleTable;
import dev.surf.models.sched.SolverKind;
import dev.surf.models.sched.WanDefaults;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code surf schedule}: the sigma grid and the timesteps the DiT receives. */
@Command(name = "schedule", mixinStandardHelpOptions = true,
        description = "Print the sampling schedule: one line per step with the index, the timestep fed to the model and the sigma.")
final class ScheduleCommand implements Callable<Integer> {
    @Option(names = "--solver", defaultValue = "unipc", description = "unipc (official grid, default) or euler")
    String solver;

    @Option(names = "--steps", defaultValue = "50", description = "sampling steps (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--shift", description = "timestep shift (default: 5.0, the official t2v value)")
    Double shift;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        SolverKind kind = SolverKind.fromName(solver);
        double s = shift == null ? WanDefaults.T2V.shift() : shift;
        FlowSchedule schedule = kind.schedule(steps, s);
        PrintWriter out = spec.commandLine().getOut();
        out.println(ScheduleTable.header());
        for (String line : ScheduleTable.lines(schedule)) {
            out.println(line);
        }
        out.flush();
        return 0;
    }
}
