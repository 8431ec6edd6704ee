package dev.surf.models.cli;

import dev.surf.core.Backend;
import dev.surf.core.Backends;
import dev.surf.core.io.OutputPlan;
import dev.surf.models.api.TinyModels;
import dev.surf.models.refiner.train.TrainableWeights;
import dev.surf.models.vae.VaeCheckpoint;
import dev.surf.models.vae.WanVaeEncoder;
import dev.surf.models.video.FfmpegMp4Writer;
import dev.surf.models.wan.WanConfig;
import dev.surf.models.wan.WanModel;
import dev.surf.models.weights.RandomWeights;
import dev.surf.models.world.data.ClipSource;
import dev.surf.models.world.data.FolderClips;
import dev.surf.models.world.data.WorldLatents;
import dev.surf.models.world.text.WorldTextEncoder;
import dev.surf.models.world.train.DitTraining;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
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
                    + " OUT/loss.png, OUT/checkpoint.safetensors and the latent cache OUT/cache/."})
final class TrainDitCommand implements Callable<Integer> {
    /** Steps over which the progress line measures steps/s. */
    private static final int WINDOW = 50;

    @Option(names = "--data", required = true, description = "'world' (the procedural world rendered from --world-seed) or a folder of"
            + " captioned videos (what surf world writes; NAME.txt beside a video is its caption)")
    String data;

    @Option(names = "--output", required = true, description = "output folder (new or empty; with --resume the folder of the run)")
    Path output;

    @Option(names = "--steps", required = true, description = "optimizer steps in total")
    int steps;

    @Option(names = "--resume", description = "continue the run in --output from its checkpoint")
    boolean resume;

    @Option(names = "--vae", description = "Wan-VAE with an encoder (the world's tiny VAE, Wan2.1_VAE.pth or a repack);"
            + " default: the embedded tiny random VAE")
    Path vae;

    @Option(names = "--vae-config", description = "JSON config of --vae (default: inferred from the weights)")
    Path vaeConfig;

    @Option(names = "--size", defaultValue = "128x128", description = "clip size WIDTHxHEIGHT, multiples of 16 (default ${DEFAULT-VALUE})")
    String size;

    @Option(names = "--clips", defaultValue = "1000", description = "clips of the world to train on (--data world; default ${DEFAULT-VALUE})")
    int clips;

    @Option(names = "--world-seed", defaultValue = "0", description = "seed of the world's clips (--data world; default ${DEFAULT-VALUE})")
    long worldSeed;

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
        if (vaeConfig != null && vae == null) {
            throw new SurfCli.UserException("--vae-config needs --vae");
        }
        int[] wh = SizeOption.parse("--size", size, "128x128");
        if (wh[0] < 16 || wh[1] < 16 || wh[0] % 16 != 0 || wh[1] % 16 != 0) {
            throw new SurfCli.UserException("--size " + size + ": width and height must be positive multiples of 16 (VAE stride 8, DiT patch 2)");
        }
        if (clips < 1) {
            throw new SurfCli.UserException("--clips must be >= 1, got " + clips);
        }
        DitTraining.Options options = new DitTraining.Options(steps, lr, warmup, accumulate, checkpointEvery, seed, recomputeBlocks);
        boolean world = data.equals("world");
        Path folder = world ? null : Path.of(data);
        if (folder != null && output.toAbsolutePath().normalize().startsWith(folder.toAbsolutePath().normalize())) {
            throw new SurfCli.UserException("--output " + output + " is inside --data " + data + ": it would be read as a video");
        }
        OutputPlan plan = OutputPlan.of("train-dit").input("--vae", vae).input("--vae-config", vaeConfig);
        if (folder != null) {
            plan.input("--data", folder);
        }
        if (resume) {
            plan.input("--resume", output.resolve(DitTraining.CHECKPOINT)).container("--output", output);
        } else {
            plan.folder("--output", output);
        }
        boolean created = !Files.exists(output);
        boolean finished = false;
        try (OutputPlan checked = plan.check()) {
            ClipSource source = world ? worldClips(wh) : FolderClips.scan(folder, 17, wh[0], wh[1], FfmpegMp4Writer.find());
            Files.createDirectories(output);
            err.printf(Locale.ROOT, "surf: %d clips of %d frames at %dx%d from %s%n", source.size(), source.frameCount(), wh[0], wh[1],
                    world ? "the world (seed " + worldSeed + ")" : data);
            WanConfig c = TinyModels.BASE;
            try (Backend be = Backends.open(device);
                 WanVaeEncoder enc = vae == null ? WanVaeEncoder.load(new RandomWeights(TinyModels.VAE_SEED), be, TinyModels.VAE)
                         : VaeCheckpoint.loadEncoder(vae, vaeConfig, be);
                 WorldTextEncoder text = WorldTextEncoder.open(be);
                 WanModel model = WanModel.load(new TrainableWeights(new RandomWeights(seed)), be, c)) {
                if (vae == null) {
                    err.println("surf: no --vae: the embedded tiny Wan-VAE (RANDOM WEIGHTS): the DiT learns latents no decoder turns into the clips");
                }
                err.println("surf: " + text.describe());
                err.printf(Locale.ROOT, "surf: DiT %d blocks of width %d (%,d parameters), random init seed %d%n", c.numLayers(), c.dim(),
                        c.parameterCount(), seed);
                WorldLatents examples = new WorldLatents(source, enc, text, output.resolve("cache"));
                long t0 = System.nanoTime();
                long[] first = {-1};
                // the rate over the last WINDOW steps: the first steps also encode each clip once
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
                out.printf(Locale.ROOT, "trained %d steps in %.2f s: %.3f it/s overall (first encodes included), %.3f it/s over the"
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

    /** The procedural world's first --clips clips at the size (pending: the world's renderer). */
    private ClipSource worldClips(int[] wh) {
        throw new SurfCli.UserException("--data world: the procedural world's renderer is not in this build yet; pass a folder of clips");
    }
}
