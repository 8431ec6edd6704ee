package dev.surf.models.cli;

import dev.surf.core.io.OutputPlan;
import dev.surf.models.api.GenerationRequest;
import dev.surf.models.api.GenerationResult;
import dev.surf.models.api.Latent;
import dev.surf.models.api.RefineOptions;
import dev.surf.models.api.SurfEngine;
import dev.surf.models.pipeline.VideoSize;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code surf refine}: refine a saved preview (from generate --previews) to a target size. */
@Command(name = "refine", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Refine a preview latent (tensor 'latent' of a generate output) to a target size with the Refiner.")
final class RefineCommand implements Callable<Integer> {
    @Option(names = "--preview", required = true, description = "safetensors with the preview in tensor 'latent'")
    Path preview;

    @Mixin
    RefinerOptions refine;

    @Mixin
    SamplingOptions sampling;

    @Option(names = "--output", defaultValue = "out", description = "output folder (default ${DEFAULT-VALUE})")
    Path output;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintStream err = System.err;
        Latent lat = Latent.load(preview, "latent");
        if (!refine.requested()) {
            throw new SurfCli.UserException("--refine-to WIDTHxHEIGHT is required");
        }
        SurfEngine.Builder b = sampling.engine(err);
        refine.configure(b, sampling.tiny());
        RefineOptions target = refine.target(VideoSize.ofLatent(lat.frames(), lat.height(), lat.width()).frames());
        Path file = output.resolve("refined-" + preview.getFileName().toString().replaceFirst("\\.safetensors$", "")
                + "-" + target.width() + "x" + target.height() + ".safetensors");
        try (OutputPlan plan = sampling.inputs(OutputPlan.of("refine")).input("--preview", preview).input("--refiner", refine.refiner)
                .container("--output", output).file("--output", file).check();
             SurfEngine engine = b.build()) {
            SamplingOptions.announce(engine, err);
            GenerationRequest req = sampling.request(engine, err);
            GenerationResult r = engine.refine(lat, req, target, new ProgressPrinter(err, ""), () -> false);
            r.latent().save(file, "latent", Map.of("producer", "surf refine", "preview", preview.toString()));
            plan.done();
            err.println("surf: wrote " + file + " (latent " + r.latent().shape() + ")");
            r.stages().forEach(s -> out.printf("%s: %d steps, %.2f s, %.4f TFLOP%n", s.name(), s.steps(), s.seconds(),
                    s.flops().total() / 1e12));
        }
        out.flush();
        return 0;
    }
}
