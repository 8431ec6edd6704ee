package dev.surf.models.cli;

import dev.surf.core.Backend;
import dev.surf.core.Backends;
import dev.surf.core.io.OutputPlan;
import dev.surf.models.api.SurfEngine;
import dev.surf.models.api.TextEmbedding;
import dev.surf.models.pipeline.VideoSize;
import dev.surf.models.sfv.DiscriminatorHeads;
import dev.surf.models.sfv.SfvTraining;
import dev.surf.models.sfv.TeacherPairs;
import dev.surf.models.vae.WanVaeEncoder;
import dev.surf.models.wan.WanCheckpoint;
import dev.surf.models.wan.WanModel;
import dev.surf.models.world.WorldClip;
import dev.surf.models.world.data.ClipSource;
import dev.surf.models.world.data.WorldLatents;
import dev.surf.models.world.text.WorldTextEncoder;
import dev.surf.models.world.train.RunSettings;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code surf train-sfv}: SF-V adversarial post-training of a world DiT into a one-step generator
 * (docs/sfv.md). The real latents are the world's clips encoded by the VAE; the generator's pairs
 * are the teacher's multi-step samples for the first --pairs captions.
 */
@Command(name = "train-sfv", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a one-step generator from a base DiT by SF-V adversarial post-training (docs/sfv.md).",
            "Writes OUT/sfv.safetensors with OUT/config.json (for generate --model OUT/sfv.safetensors --steps 1), OUT/loss.csv,"
                    + " OUT/loss.png, OUT/checkpoint/ and the latent cache OUT/cache/."})
final class TrainSfvCommand implements Callable<Integer> {
    @Option(names = "--teacher", required = true, description = "the base DiT (e.g. train-dit's OUT/dit.safetensors with its config.json)")
    Path teacher;

    @Mixin
    WorldDataOptions data;

    @Option(names = "--output", required = true, description = "output folder (new or empty; with --resume the folder of the run)")
    Path output;

    @Option(names = "--steps", required = true, description = "steps in total (one generator and one discriminator update each)")
    int steps;

    @Option(names = "--resume", description = "continue the run in --output from its checkpoint")
    boolean resume;

    @Option(names = "--pairs", defaultValue = "64", description = "teacher samples to regress on (the first captions; default ${DEFAULT-VALUE})")
    int pairs;

    @Option(names = "--teacher-steps", defaultValue = "20", description = "sampling steps of the teacher (default ${DEFAULT-VALUE})")
    int teacherSteps;

    @Option(names = "--guide", defaultValue = "5.0", description = "teacher guidance scale against the empty prompt (default ${DEFAULT-VALUE})")
    double guide;

    @Option(names = "--regression", defaultValue = "1.0", description = "weight of the teacher regression term (default ${DEFAULT-VALUE})")
    double regression;

    @Option(names = "--lr", defaultValue = "1e-5", description = "generator learning rate (default ${DEFAULT-VALUE})")
    double lr;

    @Option(names = "--lr-d", defaultValue = "1e-4", description = "discriminator heads' learning rate (default ${DEFAULT-VALUE})")
    double lrD;

    @Option(names = "--ema", defaultValue = "0.999", description = "generator EMA decay, 0 = none (default ${DEFAULT-VALUE})")
    double ema;

    @Option(names = "--heads", split = ",", defaultValue = "0,1", description = "blocks of the frozen DiT that carry heads (default ${DEFAULT-VALUE})")
    int[] heads;

    @Option(names = "--head-width", defaultValue = "64", description = "hidden channels of every head (default ${DEFAULT-VALUE})")
    int headWidth;

    @Option(names = "--checkpoint-every", defaultValue = "100", description = "steps between checkpoints (0 = at the end only; default ${DEFAULT-VALUE})")
    int checkpointEvery;

    @Option(names = "--seed", defaultValue = "0", description = "seed of the data orders, noise, heads and teacher noise (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, cpu:THREADS (default ${DEFAULT-VALUE})")
    String device;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintStream err = System.err;
        data.check(output);
        int[] wh = data.size();
        if (pairs < 1) {
            throw new SurfCli.UserException("--pairs must be >= 1, got " + pairs);
        }
        if (teacherSteps < 1 || teacherSteps > 1000) {
            throw new SurfCli.UserException("--teacher-steps must be in [1, 1000], got " + teacherSteps);
        }
        if (!(guide >= 1) || Double.isInfinite(guide)) {
            throw new SurfCli.UserException("--guide must be >= 1 and finite, got " + guide);
        }
        SfvTraining.Options options;
        try {
            options = new SfvTraining.Options(steps, lr, lrD, regression, ema, checkpointEvery, seed,
                    new DiscriminatorHeads.Config(heads, headWidth));
            options.trainer();
        } catch (IllegalArgumentException e) {
            throw new SurfCli.UserException(e.getMessage());
        }
        OutputPlan plan = data.inputs(OutputPlan.of("train-sfv")).input("--teacher", teacher);
        if (resume) {
            plan.input("--resume", output.resolve(SfvTraining.CHECKPOINT).resolve("generator.safetensors")).container("--output", output);
        } else {
            plan.folder("--output", output);
        }
        boolean created = !Files.exists(output);
        boolean finished = false;
        try (OutputPlan checked = plan.check()) {
            RunSettings settings = settings();
            if (resume) {
                settings.requireSameAs(output);
            }
            ClipSource source = data.clips(err);
            Files.createDirectories(output);
            settings.write(output);
            try (Backend be = Backends.open(device);
                 WanVaeEncoder enc = data.encoder(be, err);
                 WorldTextEncoder text = WorldTextEncoder.open(be);
                 WanModel frozen = WanCheckpoint.load(teacher, null, be);
                 WanModel generator = WanCheckpoint.loadTrainable(teacher, null, be);
                 SurfEngine teacherEngine = SurfEngine.builder().device(device).model(teacher).noRefiner().build()) {
                err.println("surf: " + text.describe());
                WorldLatents real = new WorldLatents(source, enc, text, output.resolve("cache"));
                List<TextEmbedding> prompts = new ArrayList<>();
                for (int i = 0; i < pairs; i++) {
                    prompts.add(real.context(source.caption(i % source.size())));
                }
                VideoSize size = new VideoSize(wh[0], wh[1], WorldClip.FRAMES);
                TeacherPairs teacherPairs = new TeacherPairs(teacherEngine, prompts, guide > 1 ? real.context("") : null, size,
                        teacherSteps, 5.0, guide, seed + 3);
                err.printf(Locale.ROOT, "surf: %d teacher pairs (%d steps, guide %.1f), computed on first use%n", pairs, teacherSteps, guide);
                long t0 = System.nanoTime();
                SfvTraining.run(generator, frozen, teacherPairs, real, options, output, resume, (step, total, l, seconds) ->
                        err.printf(Locale.ROOT, "surf: step %d/%d  L_G %.4f  regression %.5f  L_D %.4f  %.2f s  elapsed %s%n", step, total,
                                l.generatorAdversarial(), l.regression(), l.discriminator(), seconds,
                                ProgressPrinter.duration((System.nanoTime() - t0) / 1e9)));
                checked.done();
                out.printf(Locale.ROOT, "trained %d steps in %.1f s; wrote %s (sample it with generate --model %s --steps 1)%n", steps,
                        (System.nanoTime() - t0) / 1e9, output.resolve(SfvTraining.WEIGHTS), output.resolve(SfvTraining.WEIGHTS));
                finished = true;
            }
        } finally {
            if (created && !finished) {
                TrainRefinerCommand.removeIfEmpty(output);
            }
        }
        out.flush();
        return 0;
    }

    /** What the pairs, the real latents and the updates depend on: a resume must match them. */
    private RunSettings settings() {
        Map<String, String> v = data.settings();
        v.put("--teacher", teacher.toAbsolutePath().normalize().toString());
        v.put("--pairs", Integer.toString(pairs));
        v.put("--teacher-steps", Integer.toString(teacherSteps));
        v.put("--guide", Double.toString(guide));
        v.put("--regression", Double.toString(regression));
        v.put("--lr", Double.toString(lr));
        v.put("--lr-d", Double.toString(lrD));
        v.put("--ema", Double.toString(ema));
        v.put("--heads", java.util.Arrays.toString(heads));
        v.put("--head-width", Integer.toString(headWidth));
        v.put("--seed", Long.toString(seed));
        return new RunSettings(v);
    }
}
