package dev.surf.models.cli;

import dev.surf.models.pipeline.ProgressListener;
import dev.surf.models.pipeline.StepProgress;
import dev.surf.core.Tensor;
import dev.surf.models.video.LatentPreview;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * One line per model step on stderr: stage, step, elapsed, ETA; optionally a latent-to-RGB preview
 * PNG of the current clean-latent estimate every few steps, so the layout shows early in a long run.
 */
final class ProgressPrinter implements ProgressListener {
    private final PrintStream out;
    private final String prefix;
    private final Path previewDir;
    private final int previewEvery;

    ProgressPrinter(PrintStream out, String prefix) {
        this(out, prefix, null, 0);
    }

    /** With previews of every previewEvery-th step written to previewDir (0 = none). */
    ProgressPrinter(PrintStream out, String prefix, Path previewDir, int previewEvery) {
        this.out = out;
        this.prefix = prefix;
        this.previewDir = previewDir;
        this.previewEvery = previewEvery;
    }

    @Override
    public boolean wantsLatents() {
        return previewEvery > 0;
    }

    @Override
    public void onLatent(String stage, int done, Tensor x0) {
        if (done % previewEvery != 0 || x0.dim(0) != 16) {
            return;
        }
        Path file = previewDir.resolve(String.format(Locale.ROOT, "step-%03d.png", done));
        try {
            int scale = Math.max(1, 256 / x0.dim(2));
            LatentPreview.writePng(x0.backend(), x0, x0.dim(1) / 2, scale, file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the step preview " + file, e);
        }
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
