package dev.surf.models.cli;

import dev.surf.core.Backend;
import dev.surf.core.Backends;
import dev.surf.core.io.OutputPlan;
import dev.surf.models.api.TextEmbedding;
import dev.surf.models.api.TinyModels;
import dev.surf.models.refiner.Refiner;
import dev.surf.models.refiner.RefinerConfig;
import dev.surf.models.refiner.train.FrameStages;
import dev.surf.models.refiner.train.RealEsrganDegrader;
import dev.surf.models.refiner.train.RefinerData;
import dev.surf.models.refiner.train.RefinerTraining;
import dev.surf.models.refiner.train.RefinerValidation;
import dev.surf.models.refiner.train.TrainableWeights;
import dev.surf.models.refiner.train.TrainingClips;
import dev.surf.models.vae.VaeCheckpoint;
import dev.surf.models.vae.WanVaeDecoder;
import dev.surf.models.vae.WanVaeEncoder;
import dev.surf.models.video.FfmpegMp4Writer;
import dev.surf.models.wan.WanConfig;
import dev.surf.models.wan.WanModel;
import dev.surf.models.weights.Checkpoint;
import dev.surf.models.weights.RandomWeights;
import dev.surf.models.world.text.WorldTextEncoder;
import dev.surf.models.wan.WanKeys;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code surf train-refiner}: trains the SURF Refiner on a folder of videos (docs/refiner.md
 * "Training"). With nothing but --data, --output and --steps it runs the embedded tiny defaults (tiny
 * random Wan-VAE, tiny Refiner, 64x64 HR clips from 32x32 LR); --vae switches to a real VAE and the
 * default Refiner config.
 */
@Command(name = "train-refiner", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train the SURF Refiner (flow mapping from the upscaled LR latent to the HR latent) on a folder of videos.",
            "Writes OUT/refiner.safetensors (official Wan DiT key names, for generate --refiner), OUT/loss.csv, OUT/loss.png,"
                    + " OUT/checkpoint.safetensors and the HR latent cache OUT/cache/."})
final class TrainRefinerCommand implements Callable<Integer> {
    /** Steps over which the progress line measures steps/s. */
    private static final int WINDOW = 50;

    @Option(names = "--data", required = true, description = "folder of videos: video files, PNG/JPEG frame folders or video .safetensors;"
            + " NAME.txt beside a video is its caption")
    Path data;

    @Option(names = "--output", required = true, description = "output folder (new or empty; with --resume the folder of the run)")
    Path output;

    @Option(names = "--steps", required = true, description = "optimizer steps in total (one clip each)")
    int steps;

    @Option(names = "--resume", description = "continue the run in --output from its checkpoint")
    boolean resume;

    @Option(names = "--lr", defaultValue = "5e-5", description = "AdamW learning rate (default ${DEFAULT-VALUE}, the paper's)")
    double lr;

    @Option(names = "--frames", description = "progressive clip lengths FRAMES:STEPS,...,FRAMES (default tiny 5:100,9; else 21:2000,81)")
    String frames;

    @Option(names = "--seed", defaultValue = "0", description = "seed of the data order, flow times, degradations and latent noise (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--validate-every", defaultValue = "50", description = "steps between validations on the held-out clips (0 = at the end only; default ${DEFAULT-VALUE})")
    int validateEvery;

    @Option(names = "--checkpoint-every", defaultValue = "50", description = "steps between checkpoints (0 = at the end only; default ${DEFAULT-VALUE})")
    int checkpointEvery;

    @Option(names = "--validation-clips", defaultValue = "1", description = "clips held out for validation: the last ones of the folder (default ${DEFAULT-VALUE})")
    int validationClips;

    @Option(names = "--hr", description = "HR clip size WIDTHxHEIGHT, multiples of 16 (default tiny 64x64; else 832x480)")
    String hr;

    @Option(names = "--lr-size", description = "LR clip size WIDTHxHEIGHT, multiples of 8 (default: half of --hr)")
    String lrSize;

    @Option(names = "--latent-noise", defaultValue = "0.05", description = "std of the noise added to the LR latent (default ${DEFAULT-VALUE})")
    double latentNoise;

    @Option(names = "--shift", defaultValue = "1", description = "timestep shift of the flow times and of the validation refine (default ${DEFAULT-VALUE})")
    double shift;

    @Option(names = "--vae", description = "Wan-VAE with encoder and decoder (Wan2.1_VAE.pth or a repack); default: the tiny random VAE")
    Path vae;

    @Option(names = "--vae-config", description = "JSON config of --vae (default: inferred from the weights)")
    Path vaeConfig;

    @Option(names = "--refiner-init", description = "initial weights: any Wan DiT checkpoint with the Refiner's shapes (default: random)")
    Path refinerInit;

    @Option(names = "--arch", description = "Refiner architecture: tiny (TinyModels.REFINER: 2 blocks of width 64) or wan (the"
            + " 1.3B-shaped default); default tiny without --vae, wan with one")
    String arch;

    @Option(names = "--world-text", description = "embed captions with the small world's text encoder (for a Refiner of the world's"
            + " models; default: a deterministic stand-in embedding)")
    boolean worldText;

    @Option(names = "--window", description = "Refiner attention window in latent frames (default 4; tiny 2)")
    Integer window;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, cpu:THREADS (default ${DEFAULT-VALUE}; the CUDA gradient kernels"
            + " are not yet verified on a device)")
    String device;

    @Option(names = "--recompute-blocks", description = "activation checkpointing: keep one input per Refiner block and run"
            + " each block forward again in backward (less memory, about a third more compute)")
    boolean recomputeBlocks;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintStream err = System.err;
        boolean tiny = vae == null;
        if (vaeConfig != null && tiny) {
            throw new SurfCli.UserException("--vae-config needs --vae");
        }
        if (validationClips < 0) {
            throw new SurfCli.UserException("--validation-clips must be >= 0, got " + validationClips);
        }
        int[] hrSize = SizeOption.parse("--hr", hr != null ? hr : tiny ? "64x64" : "832x480", "64x64");
        int[] lrSz = lrSize != null ? SizeOption.parse("--lr-size", lrSize, "32x32") : new int[] {hrSize[0] / 2 / 8 * 8, hrSize[1] / 2 / 8 * 8};
        RefinerData.Settings settings = new RefinerData.Settings(hrSize[0], hrSize[1], lrSz[0], lrSz[1], latentNoise, seed);
        FrameStages stages = FrameStages.parse(frames != null ? frames : tiny ? "5:100,9" : "21:2000,81");
        RefinerTraining.Options options = new RefinerTraining.Options(steps, lr, stages, validateEvery, checkpointEvery, seed, shift, 10,
                recomputeBlocks);
        String a0 = arch != null ? arch.toLowerCase(Locale.ROOT) : tiny ? "tiny" : "wan";
        RefinerConfig base = switch (a0) {
            case "tiny" -> TinyModels.REFINER;
            case "wan" -> RefinerConfig.DEFAULT;
            default -> throw new SurfCli.UserException("--arch must be tiny or wan, got " + arch);
        };
        RefinerConfig rc = window == null ? base : new RefinerConfig(base.arch(), window);
        Path abs = output.toAbsolutePath().normalize();
        if (abs.startsWith(data.toAbsolutePath().normalize())) {
            throw new SurfCli.UserException("--output " + output + " is inside --data " + data + ": it would be read as a video");
        }
        OutputPlan plan = OutputPlan.of("train-refiner").input("--data", data).input("--vae", vae).input("--vae-config", vaeConfig)
                .input("--refiner-init", refinerInit);
        if (resume) {
            plan.input("--resume", output.resolve(RefinerTraining.CHECKPOINT)).container("--output", output);
        } else {
            plan.folder("--output", output);
        }
        boolean created = !Files.exists(output);
        boolean finished = false;
        try (OutputPlan checked = plan.check()) {
            String ffmpeg = FfmpegMp4Writer.find();
            List<TrainingClips.Clip> clips = TrainingClips.scan(data, stages.maxFrames(), settings.hrWidth(), settings.hrHeight(), ffmpeg);
            if (clips.size() <= validationClips) {
                throw new SurfCli.UserException("--data " + data + " has " + clips.size() + " clip(s) of " + stages.maxFrames()
                        + " frames; training needs at least one more than the " + validationClips + " held out (--validation-clips)");
            }
            Files.createDirectories(output);
            int n = clips.size() - validationClips;
            err.printf(Locale.ROOT, "surf: %d clips of %d frames at %dx%d (LR %dx%d): %d for training, %d held out%n", clips.size(),
                    stages.maxFrames(), settings.hrWidth(), settings.hrHeight(), settings.lrWidth(), settings.lrHeight(), n, validationClips);
            try (Backend be = Backends.open(device);
                 WanVaeEncoder enc = tiny ? WanVaeEncoder.load(new RandomWeights(TinyModels.VAE_SEED), be, TinyModels.VAE)
                         : VaeCheckpoint.loadEncoder(vae, vaeConfig, be);
                 WanVaeDecoder dec = tiny ? WanVaeDecoder.load(new RandomWeights(TinyModels.VAE_SEED), be, TinyModels.VAE)
                         : VaeCheckpoint.load(vae, vaeConfig, be);
                 WanModel model = loadRefiner(be, rc, err);
                 WorldTextEncoder worldEncoder = worldText ? WorldTextEncoder.open(be) : null) {
                if (tiny) {
                    err.println("surf: no --vae: the embedded tiny Wan-VAE (RANDOM WEIGHTS): the pixel scores say nothing about quality");
                }
                WanConfig a = rc.arch();
                if (worldEncoder != null && WorldTextEncoder.CONFIG.dim() != a.textDim()) {
                    throw new SurfCli.UserException("--world-text: the world's text encoder is " + WorldTextEncoder.CONFIG.dim()
                            + " wide, the Refiner reads text_dim " + a.textDim() + " (use --arch tiny)");
                }
                err.println(worldEncoder != null ? "surf: captions: " + worldEncoder.describe()
                        : "surf: captions get the deterministic stand-in embedding (--world-text for the world's encoder)");
                Function<String, TextEmbedding> captions = worldEncoder != null ? worldEncoder::encode
                        : c -> TextEmbedding.standIn(c, a.textDim(), a.textLen());
                Path cache = output.resolve("cache");
                RealEsrganDegrader degrader = new RealEsrganDegrader(seed);
                RefinerData train = new RefinerData(clips.subList(0, n), IntStream.range(0, n).toArray(), enc, degrader, settings, cache,
                        ffmpeg, captions);
                RefinerData val = validationClips == 0 ? null : new RefinerData(clips.subList(n, clips.size()),
                        IntStream.range(n, clips.size()).toArray(), enc, degrader, settings, cache, ffmpeg, captions);
                long t0 = System.nanoTime();
                long[] first = {-1};
                // the rate over the last WINDOW steps: the first steps also encode and degrade each clip once
                java.util.ArrayDeque<Long> recent = new java.util.ArrayDeque<>();
                RefinerValidation.Scores last = RefinerTraining.run(model, train, val, dec, options, output, resume, s -> {
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
                    double elapsed = (now - t0) / 1e9;
                    err.printf(Locale.ROOT, "surf: step %d/%d  loss %.5f  frames %d  %.2f steps/s  elapsed %s  ETA %s%n", s.step(), s.steps(),
                            s.loss(), s.frames(), rate, ProgressPrinter.duration(elapsed),
                            ProgressPrinter.duration((s.steps() - s.step()) / rate));
                    if (s.validation() != null) {
                        err.println("surf: validation at step " + s.step() + ": " + describe(s.validation()));
                    }
                });
                double seconds = (System.nanoTime() - t0) / 1e9;
                long done = first[0] < 0 ? 0 : steps - first[0];
                checked.done();
                double window = recent.size() < 2 ? Double.NaN : (recent.size() - 1) / ((recent.peekLast() - recent.peekFirst()) / 1e9);
                out.printf(Locale.ROOT, "trained %d steps in %.2f s: %.3f clips/s overall (first encodes included), %.3f clips/s over the"
                        + " last %d steps; wrote %s%n", done, seconds, done / seconds, window, recent.size() - 1,
                        output.resolve(RefinerTraining.WEIGHTS));
                if (last != null) {
                    out.println("validation: " + describe(last));
                }
                finished = true;
            }
        } finally {
            if (created && !finished) {
                removeIfEmpty(output);
            }
        }
        out.flush();
        return 0;
    }

    /** A run that failed before writing anything leaves no folder behind. */
    static void removeIfEmpty(Path folder) {
        try {
            Files.deleteIfExists(folder);
        } catch (IOException ignored) {
            // not empty: the run got far enough to write (a cache, a checkpoint), which is kept
        }
    }

    private WanModel loadRefiner(Backend be, RefinerConfig rc, PrintStream err) throws IOException {
        if (refinerInit == null) {
            err.println("surf: Refiner initialised with random weights (seed " + TinyModels.REFINER_SEED + ")");
            return Refiner.load(new TrainableWeights(new RandomWeights(TinyModels.REFINER_SEED)), be, rc);
        }
        return Checkpoint.load(refinerInit, ckpt -> Refiner.load(new TrainableWeights(ckpt.weights("SURF Refiner", WanKeys::toDiffusers)),
                be, rc));
    }

    private static String describe(RefinerValidation.Scores v) {
        return String.format(Locale.ROOT, "val_loss %.5f, latent MSE refined %.5f vs un-refined %.5f; PSNR refined %.2f dB, bilinear %.2f,"
                + " un-refined %.2f; SSIM refined %.4f, bilinear %.4f, un-refined %.4f", v.loss(), v.mseRefined(), v.msePreview(),
                v.psnrRefined(), v.psnrBilinear(), v.psnrPreview(), v.ssimRefined(), v.ssimBilinear(), v.ssimPreview());
    }
}
