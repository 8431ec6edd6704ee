package dev.surf.models.cli;

import dev.surf.core.io.AtomicOutput;
import dev.surf.core.io.OutputPlan;
import dev.surf.models.api.GenerationRequest;
import dev.surf.models.api.SurfEngine;
import dev.surf.models.api.TextEmbedding;
import dev.surf.models.sweep.ClipDecoder;
import dev.surf.models.sweep.ClipMeasure;
import dev.surf.models.sweep.PromptSet;
import dev.surf.models.sweep.SweepCase;
import dev.surf.models.sweep.WorldSweep;
import dev.surf.models.sweep.WorldSweepChart;
import dev.surf.models.sweep.WorldSweepRow;
import dev.surf.models.world.text.WorldTextEncoder;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code surf sweep-k --prompt-set FILE}: the step-division study over prompts of the small world
 * ({@link WorldSweep}), written as sweep-k.csv (one row per k), sweep-k-samples.csv (one row per
 * sample and k) and sweep-k.png.
 *
 * <p>Text: with the embedded tiny model the prompts are embedded by the world's text encoder
 * ({@link WorldTextEncoder}, whose width is the tiny DiT's text_dim; the negative context is the
 * empty prompt's unless --negative-prompt gives one); with a --model checkpoint by the engine's umT5.
 */
final class PromptSetSweep {
    private static final String VAE_FILE = "Wan2.1_VAE.pth";

    private final SweepKCommand cmd;
    private final PrintWriter out;
    private final PrintStream err;

    PromptSetSweep(SweepKCommand cmd, PrintWriter out, PrintStream err) {
        this.cmd = cmd;
        this.out = out;
        this.err = err;
    }

    Integer call() throws Exception {
        SamplingOptions sampling = cmd.sampling;
        if (sampling.context != null) {
            throw new SurfCli.UserException("--prompt-set gives the prompts: drop --context " + sampling.context);
        }
        if (cmd.matched("--prompt")) {
            throw new SurfCli.UserException("give --prompt or --prompt-set, not both");
        }
        if (cmd.seeds < 1 || cmd.seeds > 10_000) {
            throw new SurfCli.UserException("--seeds must be in [1, 10000], got " + cmd.seeds);
        }
        List<PromptSet.Entry> prompts;
        try {
            prompts = PromptSet.read(cmd.promptSet);
        } catch (IllegalArgumentException | java.io.IOException e) {
            throw new SurfCli.UserException("--prompt-set: " + e.getMessage());
        }
        boolean tiny = sampling.tiny();
        SurfEngine.Builder b = sampling.engine(err).noRefiner();
        Path vaePath = cmd.vae;
        if (tiny) {
            if (vaePath != null) {
                throw new SurfCli.UserException("--vae " + vaePath + " goes with --model; the tiny model decodes with its own VAE");
            }
            b.tinyVae();
        } else {
            if (vaePath == null && Files.isDirectory(sampling.model) && Files.exists(sampling.model.resolve(VAE_FILE))) {
                vaePath = sampling.model.resolve(VAE_FILE);
            }
            if (vaePath == null) {
                throw new SurfCli.UserException("--prompt-set decodes to pixels: give --vae FILE (or put " + VAE_FILE
                        + " in the --model folder)");
            }
            b.vae(vaePath);
        }
        long firstSeed = cmd.matched("--seed") ? sampling.seed : 0;
        Path csv = cmd.output.resolve("sweep-k.csv");
        Path png = cmd.output.resolve("sweep-k.png");
        Path perSample = cmd.output.resolve("sweep-k-samples.csv");
        try (OutputPlan plan = sampling.inputs(OutputPlan.of("sweep-k")).input("--prompt-set", cmd.promptSet).input("--vae", vaePath)
                .container("--output", cmd.output).file("--output", csv).file("--output", png).file("--output", perSample).check();
             SurfEngine engine = b.build()) {
            SamplingOptions.announce(engine, err);
            List<SweepCase> cases = new ArrayList<>();
            TextEmbedding negative = embed(engine, tiny, prompts, firstSeed, cases);
            // size, steps, shift, guide and solver as every sampling command reads them; the text comes below
            GenerationRequest defaults = sampling.request(engine, new PrintStream(OutputStream.nullOutputStream()));
            for (int k : cmd.ks) {
                if (k < 1 || k > defaults.steps()) {
                    throw new SurfCli.UserException("--k " + k + " is outside [1, " + defaults.steps() + "] for " + defaults.steps()
                            + " steps");
                }
            }
            GenerationRequest settings = new GenerationRequest(cases.get(0).context(), defaults.guide() > 1 ? negative : null,
                    defaults.size(), firstSeed, defaults.steps(), defaults.shift(), defaults.guide(), defaults.solver(), null, null, 0);
            engine.validate(settings);
            WorldSweep.Result result = WorldSweep.run(engine, cases, settings, cmd.ks, cmd.lowScale, ClipDecoder.of(engine),
                    new ProgressPrinter(err, ""));
            List<String> lines = new ArrayList<>();
            lines.add(WorldSweepRow.csvHeader());
            for (WorldSweepRow r : result.rows()) {
                lines.add(r.csv());
            }
            List<String> samples = new ArrayList<>();
            samples.add(ClipMeasure.csvHeader());
            for (ClipMeasure m : result.measures()) {
                samples.add(m.csv(cases.get(m.sample())));
            }
            write(csv, lines);
            write(perSample, samples);
            WorldSweepChart.write(png, result.rows(), String.format(Locale.ROOT, "SURF step division, %d prompts x %d seeds, %s, %d steps",
                    prompts.size(), cmd.seeds, settings.size(), settings.steps()));
            lines.forEach(out::println);
            plan.done();
            out.println("wrote " + csv + ", " + perSample + " and " + png);
        }
        out.flush();
        return 0;
    }

    private static void write(Path file, List<String> lines) throws java.io.IOException {
        try (AtomicOutput atomic = AtomicOutput.file(file)) {
            Files.write(atomic.temp(), lines, StandardCharsets.UTF_8);
            atomic.commit();
        }
    }

    /** Fills cases (prompt-major, seeds firstSeed ..) with the prompts' contexts; returns the negative context. */
    private TextEmbedding embed(SurfEngine engine, boolean tiny, List<PromptSet.Entry> prompts, long firstSeed, List<SweepCase> cases) {
        SamplingOptions sampling = cmd.sampling;
        List<TextEmbedding> ctx = new ArrayList<>();
        TextEmbedding negative;
        if (tiny && WorldTextEncoder.CONFIG.dim() == engine.baseConfig().textDim()) {
            try (WorldTextEncoder te = WorldTextEncoder.open(engine.backend())) {
                err.println("surf: prompts embedded by the " + te.describe());
                for (PromptSet.Entry p : prompts) {
                    ctx.add(te.encode(p.text()));
                }
                String neg = sampling.negativePrompt == null ? "" : sampling.negativePrompt;
                try {
                    negative = te.encode(neg);
                } catch (IllegalArgumentException e) {
                    throw new SurfCli.UserException("--negative-prompt: " + e.getMessage());
                }
            }
        } else if (engine.hasTextEncoder()) {
            err.println("surf: prompts embedded by the model's umT5 text encoder");
            for (PromptSet.Entry p : prompts) {
                ctx.add(engine.encodeText(p.text(), w -> err.println("surf: warning: " + w)));
            }
            negative = engine.encodeText(sampling.negative(), w -> err.println("surf: warning (negative prompt): " + w));
        } else {
            throw new SurfCli.UserException("--prompt-set needs a text encoder: give --t5 FILE and --tokenizer DIR (or put them in the "
                    + "--model folder)");
        }
        for (int i = 0; i < prompts.size(); i++) {
            for (int s = 0; s < cmd.seeds; s++) {
                cases.add(new SweepCase(prompts.get(i).text(), prompts.get(i).prompt(), ctx.get(i), firstSeed + s));
            }
        }
        return negative;
    }
}
