package dev.surf.models.cli;

import dev.surf.core.io.AtomicOutput;
import dev.surf.core.io.OutputPlan;
import dev.surf.models.api.GenerationRequest;
import dev.surf.models.api.SurfEngine;
import dev.surf.models.sweep.StepDivisionSweep;
import dev.surf.models.sweep.SweepChart;
import dev.surf.models.sweep.SweepRow;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code surf sweep-k}: the step-division study (paper Tab. 4) on any model, as CSV and a chart. */
@Command(name = "sweep-k", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the baseline and one SURF preview per k with the same seed; write sweep-k.csv (time, FLOPs, "
            + "cosine similarity and PSNR of each preview against the baseline downscaled to the preview size) and sweep-k.png.",
            "With --prompt-set: the same over prompts of the small world and --seeds seeds, in decoded pixels (PSNR, SSIM against "
            + "the decoded baseline) and with the prompt checker (colour and motion agreement); also sweep-k-samples.csv."})
final class SweepKCommand implements Callable<Integer> {
    @Mixin
    SamplingOptions sampling;

    @Option(names = "--k", split = ",", defaultValue = "5,10,20,30,40", description = "switch steps to try (default ${DEFAULT-VALUE})")
    int[] ks;

    @Option(names = "--low-scale", defaultValue = "0.5", description = "scale of the low-resolution stage (default ${DEFAULT-VALUE})")
    double lowScale;

    @Option(names = "--output", defaultValue = "out", description = "output folder (default ${DEFAULT-VALUE})")
    Path output;

    @Option(names = "--prompt-set", paramLabel = "FILE", description = "prompts of the small world, one per line ('#' comment lines): "
            + "run the study over them in decoded pixels and with the prompt checker (see docs/world-sweep.md)")
    Path promptSet;

    @Option(names = "--seeds", defaultValue = "1", description = "with --prompt-set: seeds per prompt, --seed .. --seed + N - 1 "
            + "(0 .. N - 1 without --seed; default ${DEFAULT-VALUE})")
    int seeds;

    @Option(names = "--vae", description = "with --prompt-set and --model: Wan-VAE weights (default: Wan2.1_VAE.pth in the --model "
            + "folder; the tiny model has its own)")
    Path vae;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintStream err = System.err;
        if (promptSet != null) {
            return new PromptSetSweep(this, out, err).call();
        }
        if (matched("--seeds") || matched("--vae")) {
            throw new SurfCli.UserException((matched("--seeds") ? "--seeds" : "--vae") + " works with --prompt-set only");
        }
        Path csv = output.resolve("sweep-k.csv");
        Path png = output.resolve("sweep-k.png");
        try (OutputPlan plan = sampling.inputs(OutputPlan.of("sweep-k")).container("--output", output).file("--output", csv)
                .file("--output", png).check();
             SurfEngine engine = sampling.engine(err).noRefiner().build()) {
            SamplingOptions.announce(engine, err);
            GenerationRequest req = sampling.request(engine, err);
            for (int k : ks) {
                if (k < 1 || k > req.steps()) {
                    throw new SurfCli.UserException("--k " + k + " is outside [1, " + req.steps() + "] for " + req.steps() + " steps");
                }
            }
            engine.validate(req);
            List<SweepRow> rows = StepDivisionSweep.run(engine, req, ks, lowScale, new ProgressPrinter(err, ""));
            List<String> lines = new ArrayList<>();
            lines.add(SweepRow.csvHeader());
            for (SweepRow r : rows) {
                lines.add(r.csv());
            }
            try (AtomicOutput atomic = AtomicOutput.file(csv)) {
                Files.write(atomic.temp(), lines, StandardCharsets.UTF_8);
                atomic.commit();
            }
            SweepChart.write(png, rows, "SURF step division, " + req.size() + ", " + req.steps() + " steps, seed " + req.seed());
            lines.forEach(out::println);
            plan.done();
            out.println("wrote " + csv + " and " + png);
        }
        out.flush();
        return 0;
    }

    /** Whether the user gave the option (not its default). */
    boolean matched(String name) {
        return spec.commandLine().getParseResult().hasMatchedOption(name);
    }
}
