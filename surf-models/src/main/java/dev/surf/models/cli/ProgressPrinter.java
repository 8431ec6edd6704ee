package dev.surf.models.cli;

import dev.surf.models.pipeline.ProgressListener;
import dev.surf.models.pipeline.StepProgress;
import java.io.PrintStream;
import java.util.Locale;

/** One line per model step on stderr: stage, step, elapsed, ETA. */
final class ProgressPrinter implements ProgressListener {
    private final PrintStream out;
    private final String prefix;

    ProgressPrinter(PrintStream out, String prefix) {
        this.out = out;
        this.prefix = prefix;
    }

    @Override
    public void onStep(StepProgress p) {
        out.printf(Locale.ROOT, "%s[%s] step %d/%d (%d/%d total)  elapsed %s  ETA %s%n", prefix, p.stage(), p.stageStep(),
                p.stageSteps(), p.done(), p.total(), duration(p.elapsedSeconds()), duration(p.etaSeconds()));
        out.flush();
    }

    static String duration(double s) {
        if (Double.isNaN(s)) {
            return "?";
        }
        if (s < 60) {
            return String.format(Locale.ROOT, "%.1fs", s);
        }
        long t = Math.round(s);
        return t < 3600 ? String.format(Locale.ROOT, "%dm%02ds", t / 60, t % 60)
                : String.format(Locale.ROOT, "%dh%02dm", t / 3600, (t % 3600) / 60);
    }
}
