package dev.surf.models.cli;

import dev.surf.core.Backend;
import dev.surf.core.Backends;
import dev.surf.core.io.OutputPlan;
import dev.surf.models.api.TinyModels;
import dev.surf.models.refiner.train.TrainableWeights;
import dev.surf.models.vae.WanVaeEncoder;
import dev.surf.models.wan.WanConfig;
import dev.surf.models.wan.WanModel;
import dev.surf.models.weights.RandomWeights;
import dev.surf.models.world.data.ClipSource;
import dev.surf.models.world.data.WorldLatents;
import dev.surf.models.world.text.WorldTextEncoder;
import dev.surf.models.world.train.DitTraining;
import dev.surf.models.world.train.RunSettings;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code surf train-dit}: trains the tiny Wan DiT ({@link TinyModels#BASE}, random init from --seed) by
 * flow matching on the world's clips (docs/world-training.md "Training the DiT"): each clip encoded by
 * the VAE (--vae, default the embedded tiny random one), each caption by the world's text encoder, 10%
 * of the examples on the empty prompt for classifier-free guidance. Mirrors train-refiner's options,
 * output folder and progress lines.
 */
@Command(name = "train-dit", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train the tiny Wan DiT base model by flow matching on the procedural world's clips (or a folder of captioned videos).",
            "Writes OUT/dit.safetensors with OUT/config.json (official Wan DiT names and keys, for generate --model), OUT/loss.csv,"
                    + " OUT/loss.png, OUT/checkpoint.safetensors, OUT/run.txt (the settings --resume must match) and the latent cache OUT/cache/."})
final class TrainDitCommand implements Callable<Integer> {
    /** Steps over which the progress line measures steps/s. */
    private static final int WINDOW = 50;

    @Mixin
    WorldDataOptions data;

    @Option(names = "--output", required = true, description = "output folder (new or empty; with --resume the folder of the run)")
    Path output;

    @Option(names = "--steps", required = true, description = "optimizer steps in total")
    int steps;

    @Option(names = "--resume", description = "continue the run in --output from its checkpoint")
    boolean resume;

    @Option(names = "--seed", defaultValue = "0", description = "seed of the DiT's random init, the data order and the flow noise"
            + " (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--lr", defaultValue = "3e-4", description = "AdamW peak learning rate (default ${DEFAULT-VALUE})")
    double lr;

    @Option(names = "--warmup", defaultValue = "50", description = "steps of linear learning-rate warm-up (default ${DEFAULT-VALUE})")
    long warmup;

    @Option(names = "--accumulate", defaultValue = "1", description = "clips per optimizer step (gradient accumulation; default ${DEFAULT-VALUE})")
    int accumulate;

    @Option(names = "--checkpoint-every", defaultValue = "100", description = "steps between checkpoints (0 = at the end only; default ${DEFAULT-VALUE})")
    int checkpointEvery;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, cpu:THREADS (default ${DEFAULT-VALUE}; the CUDA gradient kernels"
            + " are not yet verified on a device)")
    String device;

    @Option(names = "--recompute-blocks", description = "activation checkpointing: keep one input per DiT block and run each block"
            + " forward again in backward (less memory, about a third more compute)")
    boolean recomputeBlocks;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintStream err = System.err;
        data.check(output);
        int[] wh = data.size();
        DitTraining.Options options = new DitTraining.Options(steps, lr, warmup, accumulate, checkpointEvery, seed, recomputeBlocks);
        OutputPlan plan = data.inputs(OutputPlan.of("train-dit"));
        if (resume) {
            plan.input("--resume", output.resolve(DitTraining.CHECKPOINT)).container("--output", output);
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
            WanConfig c = TinyModels.BASE;
            try (Backend be = Backends.open(device);
                 WanVaeEncoder enc = data.encoder(be, err);
                 WorldTextEncoder text = WorldTextEncoder.open(be);
                 WanModel model = WanModel.load(new TrainableWeights(new RandomWeights(seed)), be, c)) {
                err.println("surf: " + text.describe());
                err.printf(Locale.ROOT, "surf: DiT %d blocks of width %d (%,d parameters), random init seed %d%n", c.numLayers(), c.dim(),
                        c.parameterCount(), seed);
                WorldLatents examples = new WorldLatents(source, enc, text, output.resolve("cache"));
                settings.write(output);
                long e0 = System.nanoTime();
                WorldLatents.Stats stats = examples.encodeAll((done, total) -> {
                    if (done % 50 == 0 || done == total) {
                        double s = (System.nanoTime() - e0) / 1e9;
                        err.printf(Locale.ROOT, "surf: latents %d/%d ready  elapsed %s  ETA %s%n", done, total, ProgressPrinter.duration(s),
                                ProgressPrinter.duration(s / done * (total - done)));
                    }
                });
                err.printf(Locale.ROOT, "surf: %d clips VAE-encoded (the rest from %s); latent values mean %.3f, std %.3f, range [%.2f, %.2f]%n",
                        examples.encodes(), output.resolve("cache"), stats.mean(), stats.std(), stats.min(), stats.max());
                if (stats.std() < 0.5 || stats.std() > 2) {
                    err.println("surf: note: the flow assumes latents of about unit variance; this VAE's normalised latents are far from it");
                }
                long t0 = System.nanoTime();
                long[] first = {-1};
                // the rate over the last WINDOW steps: the first one also warms the JIT up
                ArrayDeque<Long> recent = new ArrayDeque<>();
                DitTraining.run(model, examples, options, output, resume, s -> {
                    long now = System.nanoTime();
                    if (first[0] < 0) {
                        first[0] = s.step() - 1;
                        recent.add(t0);
                    }
                    recent.add(now);
                    if (recent.size() > WINDOW + 1) {
                        recent.removeFirst();
                    }
                    double rate = (recent.size() - 1) / ((now - recent.peekFirst()) / 1e9);
                    err.printf(Locale.ROOT, "surf: step %d/%d  loss %.5f  lr %.3g  grad norm %.3g  %.2f it/s  elapsed %s  ETA %s%n",
                            s.step(), s.steps(), s.loss(), s.lr(), s.gradNorm(), rate, ProgressPrinter.duration((now - t0) / 1e9),
                            ProgressPrinter.duration((s.steps() - s.step()) / rate));
                });
                double seconds = (System.nanoTime() - t0) / 1e9;
                long done = first[0] < 0 ? 0 : steps - first[0];
                checked.done();
                double window = recent.size() < 2 ? Double.NaN : (recent.size() - 1) / ((recent.peekLast() - recent.peekFirst()) / 1e9);
                out.printf(Locale.ROOT, "trained %d steps in %.2f s: %.3f it/s overall, %.3f it/s over the"
                        + " last %d steps; %d clips encoded; wrote %s%n", done, seconds, done / seconds, window, recent.size() - 1,
                        examples.encodes(), output.resolve(DitTraining.WEIGHTS));
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

    /** What the examples and the updates depend on (RunSettings): a resume must match them. */
    private RunSettings settings() {
        Map<String, String> v = data.settings();
        v.put("--seed", Long.toString(seed));
        v.put("--lr", Double.toString(lr));
        v.put("--warmup", Long.toString(warmup));
        v.put("--accumulate", Integer.toString(accumulate));
        return new RunSettings(v);
    }
}
