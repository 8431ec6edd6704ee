package dev.surf.models.cli;

import dev.surf.core.Backend;
import dev.surf.core.Backends;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.io.OutputPlan;
import dev.surf.core.optim.AdamW;
import dev.surf.core.optim.LrSchedule;
import dev.surf.models.api.TinyModels;
import dev.surf.models.vae.VaeCheckpoint;
import dev.surf.models.vae.WanVaeConfig;
import dev.surf.models.vae.WanVaeDecoder;
import dev.surf.models.vae.WanVaeEncoder;
import dev.surf.models.vae.train.VaeClips;
import dev.surf.models.vae.train.VaeInit;
import dev.surf.models.vae.train.VaeLatentStandardizer;
import dev.surf.models.vae.train.VaeTrainer;
import dev.surf.models.vae.train.VaeTraining;
import dev.surf.models.video.FfmpegMp4Writer;
import dev.surf.models.world.data.ClipSource;
import dev.surf.models.world.data.FolderClips;
import dev.surf.models.world.data.WorldClips;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code surf train-vae}: trains the tiny Wan-VAE ({@link TinyModels#VAE}: the Wan 2.1 architecture at
 * base width 8) from scratch as an autoencoder on random crops of clips (docs/world-training.md
 * "Training the VAE"): L1 + MSE reconstruction plus a term that keeps the normalised latents at zero
 * mean and unit variance per channel. Mirrors train-dit's options, output folder and progress lines.
 */
@Command(name = "train-vae", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train the tiny Wan-VAE (encoder and decoder) on random crops of the procedural world's clips (or a folder of videos).",
            "Writes OUT/vae.safetensors (official Wan-VAE names: vae-encode/vae-decode/train-dit --vae read it), OUT/loss.csv,"
                    + " OUT/loss.png and OUT/checkpoint.safetensors."})
final class TrainVaeCommand implements Callable<Integer> {
    /** Steps over which the progress line measures steps/s. */
    private static final int WINDOW = 20;

    @Option(names = "--data", required = true, description = "'world' (the procedural world rendered from --world-seed) or a folder of"
            + " videos (video files, PNG/JPEG frame folders or video .safetensors, e.g. what surf world writes)")
    String data;

    @Option(names = "--output", required = true, description = "output folder (new or empty; with --resume the folder of the run)")
    Path output;

    @Option(names = "--steps", required = true, description = "optimizer steps in total")
    int steps;

    @Option(names = "--resume", description = "continue the run in --output from its checkpoint")
    boolean resume;

    @Option(names = "--size", defaultValue = "64x64", description = "crop size WIDTHxHEIGHT, multiples of 8; the clips are rendered"
            + " (world) or read (folder) at this size unless --clip-size is given (default ${DEFAULT-VALUE})")
    String size;

    @Option(names = "--clip-size", description = "size WIDTHxHEIGHT the clips are rendered (world) or read (folder) at, at least"
            + " --size; the crops are cut at random places of them (default: --size, whole frames). Render at the size the VAE"
            + " will encode (e.g. 128x128) and crop smaller, so the objects have their real scale at a crop's cost")
    String clipSize;

    @Option(names = "--frames", defaultValue = "17", description = "crop length in frames, 1 + 4n, cut at a random offset of each"
            + " 17-frame clip (default ${DEFAULT-VALUE}, the whole clip: VAEs trained on 5-frame crops failed"
            + " beyond their second latent frame)")
    int frames;

    @Option(names = "--batch", defaultValue = "2", description = "crops per optimizer step (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--clips", defaultValue = "1000", description = "clips of the world to train on (--data world; default ${DEFAULT-VALUE})")
    int clips;

    @Option(names = "--world-seed", defaultValue = "0", description = "seed of the world's clips (--data world; default ${DEFAULT-VALUE})")
    long worldSeed;

    @Option(names = "--seed", defaultValue = "0", description = "seed of the VAE's init, the data order and the crops (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--lr", defaultValue = "3e-4", description = "AdamW peak learning rate (default ${DEFAULT-VALUE};"
            + " at 2e-3 the tiny VAE never learned the world's black and white backgrounds)")
    double lr;

    @Option(names = "--schedule", defaultValue = "constant", description = "learning rate after the warm-up: constant, or cosine"
            + " (a half cosine from --lr down to a tenth of it at --steps) (default ${DEFAULT-VALUE})")
    private String schedule;

    @Option(names = "--warmup", defaultValue = "20", description = "steps of linear learning-rate warm-up (default ${DEFAULT-VALUE})")
    long warmup;

    @Option(names = "--moment-weight", defaultValue = "0.1", description = "weight of the latent zero-mean / unit-variance term"
            + " (0 = reconstruction only; default ${DEFAULT-VALUE})")
    double momentWeight;

    @Option(names = "--contrast-weight", defaultValue = "0", description = "lambda of the reconstruction's contrast weighting:"
            + " each pixel counts 1 + lambda x its distance from the crop's mean colour (renormalised to mean 1), so a small object"
            + " on a flat background is not traded for the background; 0 weights all pixels alike (default ${DEFAULT-VALUE})")
    private double contrastWeight;

    @Option(names = "--chroma-weight", defaultValue = "0", description = "measure the reconstruction in opponent colours (luma"
            + " and two chroma axes) with the chroma scaled by this weight, so a wrong hue costs more than in RGB; 0 measures it"
            + " in RGB (default ${DEFAULT-VALUE})")
    private double chromaWeight;

    @Option(names = "--tint", defaultValue = "0", description = "half-range of a random colour shift added to each channel of"
            + " every crop (clamped to [-1, 1]), so that colour is seen in every pixel and not only in the objects; 0 = none"
            + " (default ${DEFAULT-VALUE})")
    private double tint;

    @Option(names = "--init", defaultValue = "lecun", description = "initial weights: lecun (LeCun-normal kernels everywhere),"
            + " zero-branches (the same, with every residual branch's last conv and attention output at zero, so each block starts"
            + " as the identity) or delta (zero branches, and the convolutions between the blocks start as identities at their"
            + " current tap) (default ${DEFAULT-VALUE})")
    private String init;

    @Option(names = "--standardize-clips", defaultValue = "32", description = "clips encoded whole at the end to measure the latents'"
            + " per-channel mean and deviation, which are folded into vae.safetensors so that its latents have zero mean and unit"
            + " deviation (the DiT's noise scale) with the same reconstructions; 0 writes the weights as trained (default ${DEFAULT-VALUE})")
    private int standardizeClips;

    @Option(names = "--checkpoint-every", defaultValue = "50", description = "steps between checkpoints (0 = at the end only; default ${DEFAULT-VALUE})")
    int checkpointEvery;

    @Option(names = "--vae-config", description = "JSON config of the VAE to train (default: the tiny VAE, width 8)")
    Path vaeConfig;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, cpu:THREADS (default ${DEFAULT-VALUE}; the CUDA gradient kernels"
            + " are not yet verified on a device)")
    String device;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintStream err = System.err;
        int[] wh = SizeOption.parse("--size", size, "64x64");
        if (wh[0] < 8 || wh[1] < 8 || wh[0] % 8 != 0 || wh[1] % 8 != 0) {
            throw new SurfCli.UserException("--size " + size + ": width and height must be positive multiples of 8 (the VAE's stride)");
        }
        int[] clipWh = clipSize == null ? wh : SizeOption.parse("--clip-size", clipSize, "128x128");
        if (clipWh[0] < wh[0] || clipWh[1] < wh[1]) {
            throw new SurfCli.UserException("--clip-size " + clipSize + " is smaller than the crop --size " + size);
        }
        if (clipWh[0] % 8 != 0 || clipWh[1] % 8 != 0) {
            // the run ends by encoding and decoding clip 0 whole, which needs the VAE's stride
            throw new SurfCli.UserException("--clip-size " + clipSize + ": width and height must be multiples of 8 (the VAE's stride)");
        }
        if (frames < 1 || (frames - 1) % 4 != 0 || frames > 17) {
            throw new SurfCli.UserException("--frames must be 1 + 4n and at most 17 (1, 5, 9, 13, 17), got " + frames);
        }
        if (clips < 1) {
            throw new SurfCli.UserException("--clips must be >= 1, got " + clips);
        }
        if (steps < 1) {
            throw new SurfCli.UserException("--steps must be >= 1, got " + steps);
        }
        if (batch < 1) {
            throw new SurfCli.UserException("--batch must be >= 1, got " + batch);
        }
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new SurfCli.UserException("--lr must be a positive number, got " + lr);
        }
        if (warmup < 0) {
            throw new SurfCli.UserException("--warmup must be >= 0, got " + warmup);
        }
        if (!(contrastWeight >= 0) || Double.isInfinite(contrastWeight)) {
            throw new SurfCli.UserException("--contrast-weight must be >= 0, got " + contrastWeight);
        }
        if (!(chromaWeight >= 0) || Double.isInfinite(chromaWeight)) {
            throw new SurfCli.UserException("--chroma-weight must be >= 0, got " + chromaWeight);
        }
        if (!(tint >= 0 && tint <= 2)) {
            throw new SurfCli.UserException("--tint must be in [0, 2], got " + tint);
        }
        if (!schedule.equals("constant") && !schedule.equals("cosine")) {
            throw new SurfCli.UserException("--schedule must be constant or cosine, got '" + schedule + "'");
        }
        if (schedule.equals("cosine") && steps <= warmup) {
            throw new SurfCli.UserException("--schedule cosine needs --steps (" + steps + ") above --warmup (" + warmup + ")");
        }
        if (!init.equals("lecun") && !init.equals("zero-branches") && !init.equals("delta")) {
            throw new SurfCli.UserException("--init must be lecun, zero-branches or delta, got '" + init + "'");
        }
        if (standardizeClips < 0) {
            throw new SurfCli.UserException("--standardize-clips must be >= 0, got " + standardizeClips);
        }
        if (!(momentWeight >= 0) || Double.isInfinite(momentWeight)) {
            throw new SurfCli.UserException("--moment-weight must be >= 0, got " + momentWeight);
        }
        VaeTrainer.Config config = new VaeTrainer.Config(AdamW.Config.torchDefaults(lr), schedule.equals("cosine") ? LrSchedule.cosine(lr, warmup, steps, lr / 10) : LrSchedule.constant(lr, warmup), 1.0, batch,
                wh[0], wh[1], frames, momentWeight, contrastWeight, chromaWeight, tint, seed);
        boolean world = data.equals("world");
        Path folder = world ? null : Path.of(data);
        if (folder != null && output.toAbsolutePath().normalize().startsWith(folder.toAbsolutePath().normalize())) {
            throw new SurfCli.UserException("--output " + output + " is inside --data " + data + ": it would be read as a video");
        }
        OutputPlan plan = OutputPlan.of("train-vae").input("--vae-config", vaeConfig);
        if (folder != null) {
            plan.input("--data", folder);
        }
        if (resume) {
            plan.input("--resume", output.resolve(VaeTraining.CHECKPOINT)).container("--output", output);
        } else {
            plan.folder("--output", output);
        }
        boolean created = !Files.exists(output);
        boolean finished = false;
        try (OutputPlan checked = plan.check()) {
            WanVaeConfig vae = vaeConfig == null ? TinyModels.VAE : WanVaeConfig.fromJson(vaeConfig);
            ClipSource source = world ? worldClips(clipWh) : FolderClips.scan(folder, 17, clipWh[0], clipWh[1], FfmpegMp4Writer.find());
            Files.createDirectories(output);
            err.printf(Locale.ROOT, "surf: %d clips of %d frames at %dx%d from %s; crops of %d frames at %dx%d, %d per step%n",
                    source.size(), source.frameCount(), clipWh[0], clipWh[1], world ? "the world (seed " + worldSeed + ")" : data, frames,
                    wh[0], wh[1], batch);
            VaeClips clipSet = VaeClips.of(source);
            try (Backend be = Backends.open(device);
                 VaeTrainer trainer = new VaeTrainer(vae, be, new VaeInit(seed, !init.equals("lecun"), init.equals("delta")), config, clipSet)) {
                err.println("surf: " + vae + ", " + new VaeInit(seed, !init.equals("lecun"), init.equals("delta")).describe());
                long t0 = System.nanoTime();
                long[] first = {-1};
                java.util.ArrayDeque<Long> recent = new java.util.ArrayDeque<>();
                VaeTraining.run(trainer, steps, checkpointEvery, output, resume, (step, total, l) -> {
                    long now = System.nanoTime();
                    if (first[0] < 0) {
                        first[0] = step - 1;
                        recent.add(t0);
                    }
                    recent.add(now);
                    if (recent.size() > WINDOW + 1) {
                        recent.removeFirst();
                    }
                    double rate = (recent.size() - 1) / ((now - recent.peekFirst()) / 1e9);
                    err.printf(Locale.ROOT, "surf: step %d/%d  loss %.5f (L1 %.5f, MSE %.5f, moment %.4f)  lr %.3g  grad norm %.3g"
                                    + "  %.2f s/step (%.2f forward, %.2f backward)  ETA %s%n", step, total, l.total(), l.l1(), l.mse(),
                            l.moment(), l.lr(), l.gradNorm(), 1 / rate, l.forwardSeconds(), l.backwardSeconds(),
                            ProgressPrinter.duration((total - step) / rate));
                });
                double seconds = (System.nanoTime() - t0) / 1e9;
                long done = first[0] < 0 ? 0 : steps - first[0];
                Path weights = output.resolve(VaeTraining.WEIGHTS);
                if (standardizeClips > 0) {
                    standardize(trainer, weights, be, clipSet, err);
                }
                double psnr = reconstructionPsnr(weights, vaeConfig, be, source);
                checked.done();
                out.printf(Locale.ROOT, "trained %d steps in %.2f s (%.3f s/step); wrote %s; clip 0 whole (%d frames at %dx%d) through"
                        + " the written encoder and decoder: PSNR %.2f dB%n", done, seconds, done == 0 ? 0 : seconds / done, weights,
                        source.frameCount(), clipWh[0], clipWh[1], psnr);
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

    /**
     * Measures the latent statistics of the weights as trained (written by the run) over the first
     * --standardize-clips clips, whole, and rewrites the file with them folded in.
     */
    private void standardize(VaeTrainer trainer, Path weights, Backend be, VaeClips clipSet, PrintStream err) throws IOException {
        VaeLatentStandardizer.Stats stats;
        try (WanVaeEncoder enc = VaeCheckpoint.loadEncoder(weights, vaeConfig, be)) {
            stats = VaeLatentStandardizer.measure(enc, clipSet, standardizeClips, (done, total) -> {
                if (done == total || done % 8 == 0) {
                    err.printf(Locale.ROOT, "surf: latent statistics: %d/%d clips encoded%n", done, total);
                }
            });
        }
        double[] m = stats.mean();
        double[] sd = stats.std();
        double mLo = Double.MAX_VALUE, mHi = -Double.MAX_VALUE, sLo = Double.MAX_VALUE, sHi = -Double.MAX_VALUE;
        for (int c = 0; c < m.length; c++) {
            mLo = Math.min(mLo, m[c]);
            mHi = Math.max(mHi, m[c]);
            sLo = Math.min(sLo, sd[c]);
            sHi = Math.max(sHi, sd[c]);
        }
        err.printf(Locale.ROOT, "surf: latents as trained: channel means %.3g .. %.3g, deviations %.3g .. %.3g over %d clips;"
                + " folded into %s (zero mean, unit deviation)%n", mLo, mHi, sLo, sHi, stats.clips(), weights.getFileName());
        trainer.writeWeights(weights, stats);
    }

    /**
     * PSNR (peak-to-peak 2 in [-1, 1]) of clip 0, whole, after encode and decode by the inference
     * WanVaeEncoder / WanVaeDecoder loaded from the written file: the check that the file is a
     * working Wan-VAE, on more frames than the training crops.
     */
    private static double reconstructionPsnr(Path weights, Path configFile, Backend be, ClipSource source) throws IOException {
        try (WanVaeEncoder enc = VaeCheckpoint.loadEncoder(weights, configFile, be);
             WanVaeDecoder dec = VaeCheckpoint.load(weights, configFile, be);
             Tensor x = be.fromFloats(source.frames(0), Shape.of(3, source.frameCount(), source.height(), source.width()));
             Tensor z = enc.encode(x); Tensor y = dec.decodeAll(z, true)) {
            float[] a = be.toFloats(x);
            float[] b = be.toFloats(y);
            double se = 0;
            for (int i = 0; i < a.length; i++) {
                se += ((double) a[i] - b[i]) * ((double) a[i] - b[i]);
            }
            return 10 * Math.log10(4 / (se / a.length));
        }
    }

    /** The procedural world's first --clips clips of --world-seed, rendered at the size. */
    private ClipSource worldClips(int[] wh) {
        try {
            return new WorldClips(worldSeed, clips, wh[0], wh[1]);
        } catch (IllegalArgumentException e) {
            throw new SurfCli.UserException(e.getMessage());
        }
    }
}
