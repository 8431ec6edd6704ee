package dev.surf.models.cli;

import dev.surf.models.api.GenerationRequest;
import dev.surf.models.api.GenerationResult;
import dev.surf.models.api.RefineOptions;
import dev.surf.models.api.SurfEngine;
import dev.surf.models.api.SurfOptions;
import dev.surf.core.io.OutputPlan;
import dev.surf.models.pipeline.Limits;
import dev.surf.models.video.FfmpegMp4Writer;
import dev.surf.models.video.VideoOutput;
import dev.surf.models.pipeline.ReshiftMode;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code surf generate}: the main job. Baseline or SURF sampling, optional refine, N previews; the
 * latents are written (atomically) before anything else, then a per-stage summary is printed.
 */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Generate a video latent with Wan 2.1: the baseline sampler or SURF (noise-reshifted preview + Refiner).",
            "Without --model the embedded tiny model runs (random weights: a demonstration of the pipeline in seconds)."})
final class GenerateCommand implements Callable<Integer> {
    @Mixin
    SamplingOptions sampling;

    @Option(names = "--surf", description = "use SURF: the base resolution for the first k steps, then a lower one")
    boolean surf;

    @Option(names = "--k", defaultValue = "10", description = "SURF: steps at the base resolution (default ${DEFAULT-VALUE})")
    int k;

    @Option(names = "--low-scale", defaultValue = "0.5", description = "SURF: scale of the low-resolution stage (default ${DEFAULT-VALUE})")
    double lowScale;

    @Option(names = "--low-shift", description = "SURF: a different timestep shift for the low-resolution stage")
    Double lowShift;

    @Option(names = "--reshift", defaultValue = "flow", description = "SURF re-noising: flow ((1-s) x0 + s eps, default) or paper (x0 + s eps)")
    String reshift;

    @Mixin
    RefinerOptions refine;

    @Option(names = "--small-model", description = "a second model of the same latent space (SRDiffusion), used from --small-from on")
    Path smallModel;

    @Option(names = "--small-from", defaultValue = "0", description = "step from which --small-model takes over")
    int smallFrom;

    @Option(names = "--previews", defaultValue = "1", description = "make N previews from seeds seed..seed+N-1 (no refine)")
    int previews;

    @Option(names = "--vae", description = "Wan-VAE (Wan2.1_VAE.pth or safetensors) to decode the latent to video "
            + "(default: Wan2.1_VAE.pth in the --model folder, if there)")
    Path vae;

    @Option(names = "--video", defaultValue = "mp4", description = "video format when a VAE is given: mp4 (H.264 through ffmpeg), "
            + "png (frames), safetensors, or none (default ${DEFAULT-VALUE})")
    String video;

    @Option(names = "--fps", defaultValue = "16", description = "video frame rate (default ${DEFAULT-VALUE})")
    double fps;

    @Option(names = "--preview-every", defaultValue = "0", description = "write a latent-to-RGB preview PNG of the "
            + "clean-latent estimate every N steps to OUTPUT/steps-SEED/ (default 0: none)")
    int previewEvery;

    @Option(names = "--output", defaultValue = "out", description = "output folder (default ${DEFAULT-VALUE})")
    Path output;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintStream err = System.err;
        if (previews < 1 || previews > Limits.MAX_PREVIEWS) {
            throw new SurfCli.UserException("--previews must be in [1, " + Limits.MAX_PREVIEWS + "], got " + previews);
        }
        Limits.fps(fps);
        if (previews > 1 && refine.requested()) {
            throw new SurfCli.UserException("--previews makes previews only; refine the one you pick with 'surf refine'");
        }
        boolean tiny = sampling.tiny();
        SurfEngine.Builder b = sampling.engine(err);
        if (smallModel != null) {
            b.smallModel(smallModel);
        }
        Path vaePath = vae;
        if (vaePath == null && !tiny && Files.isDirectory(sampling.model) && Files.exists(sampling.model.resolve("Wan2.1_VAE.pth"))) {
            vaePath = sampling.model.resolve("Wan2.1_VAE.pth");
        }
        String format = video.toLowerCase(Locale.ROOT);
        if (!List.of("mp4", "png", "safetensors", "none").contains(format)) {
            throw new SurfCli.UserException("--video must be mp4, png, safetensors or none, got " + video);
        }
        if (vaePath != null && !format.equals("none")) {
            b.vae(vaePath);
        } else if (tiny && !format.equals("none")) {
            b.tinyVae();
        }
        if (previewEvery < 0) {
            throw new SurfCli.UserException("--preview-every must be >= 0, got " + previewEvery);
        }
        if (refine.requested()) {
            refine.configure(b, tiny);
        } else {
            b.noRefiner();
        }
        boolean decodes = !format.equals("none") && (vaePath != null || tiny);
        try (OutputPlan plan = plan(vaePath, decodes, format).check();
             SurfEngine engine = b.build()) {
            SamplingOptions.announce(engine, err);
            GenerationRequest req = request(engine, err);
            engine.validate(req);
            List<GenerationResult> results = new ArrayList<>();
            ProgressPrinter progress = new ProgressPrinter(err, "", output.resolve("steps-" + req.seed()), previewEvery);
            if (previews > 1) {
                results.addAll(engine.previews(req, previews, progress, () -> false));
            } else {
                results.add(engine.generate(req, progress, () -> false));
            }
            for (GenerationResult r : results) {
                write(r, req, engine);
                for (String line : r.summary()) {
                    out.println(line);
                }
                if (engine.hasVae()) {
                    Path file = output.resolve(videoName(r.seed(), format));
                    long t0 = System.nanoTime();
                    String what = engine.writeVideo(r.latent(), file, fps, note -> err.println("surf: " + note));
                    out.printf(Locale.ROOT, "vae decode: %.2f s, %s%n", (System.nanoTime() - t0) / 1e9, what);
                } else if (!format.equals("none")) {
                    err.println("surf: no VAE given (--vae): only the latent was written; decode it later with 'surf vae-decode'");
                }
            }
            plan.done();
        }
        out.flush();
        return 0;
    }

    /** Everything this run reads and writes, checked before any model is loaded. */
    private OutputPlan plan(Path vaePath, boolean decodes, String format) {
        OutputPlan plan = sampling.inputs(OutputPlan.of("generate")).input("--vae", vaePath).input("--small-model", smallModel)
                .input("--refiner", refine.file()).container("--output", output);
        String ffmpeg = format.equals("mp4") ? FfmpegMp4Writer.find() : null;
        for (int i = 0; i < previews; i++) {
            long seed = sampling.seed + i;
            plan.file("--output", output.resolve("latent-" + seed + ".safetensors"));
            if (refine.requested()) {
                plan.file("--output", output.resolve("preview-" + seed + ".safetensors"));
            }
            if (decodes) {
                Path video = output.resolve(videoName(seed, format));
                switch (format) {
                    case "png" -> plan.folder("--output", video);
                    case "mp4" -> {
                        if (ffmpeg != null) {
                            plan.file("--output", video);
                        } else {
                            plan.folder("--output", VideoOutput.fallbackFolder(video));
                        }
                    }
                    default -> plan.file("--output", video);
                }
            }
        }
        if (previewEvery > 0) {
            plan.folder("--preview-every", output.resolve("steps-" + sampling.seed));
        }
        return plan;
    }

    private static String videoName(long seed, String format) {
        return "video-" + seed + (format.equals("png") ? "" : "." + format);
    }

    private GenerationRequest request(SurfEngine engine, PrintStream err) throws Exception {
        GenerationRequest base = sampling.request(engine, err);
        SurfOptions so = surf ? new SurfOptions(k, lowScale, lowShift, reshiftMode()) : null;
        RefineOptions ro = refine.requested() ? refine.target(base.size().frames(), engine, base) : null;
        return new GenerationRequest(base.context(), base.contextNull(), base.size(), base.seed(), base.steps(), base.shift(),
                base.guide(), base.solver(), so, ro, smallFrom);
    }

    private ReshiftMode reshiftMode() {
        return switch (reshift.toLowerCase(Locale.ROOT)) {
            case "flow" -> ReshiftMode.FLOW_CONSISTENT;
            case "paper" -> ReshiftMode.PAPER_LITERAL;
            default -> throw new SurfCli.UserException("--reshift must be flow or paper, got " + reshift);
        };
    }

    private void write(GenerationResult r, GenerationRequest req, SurfEngine engine) throws Exception {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("producer", "surf generate");
        meta.put("seed", Long.toString(r.seed()));
        meta.put("size", req.size().toString());
        meta.put("steps", Integer.toString(req.steps()));
        meta.put("shift", Double.toString(req.shift()));
        meta.put("guide", Double.toString(req.guide()));
        meta.put("solver", req.solver().cliName());
        meta.put("plan", req.plan(engine.baseConfig().patchH()).toString());
        meta.put("models", String.join("; ", engine.describe()));
        Path latent = output.resolve("latent-" + r.seed() + ".safetensors");
        r.latent().save(latent, "latent", meta);
        System.err.println("surf: wrote " + latent + " (latent " + r.latent().shape() + ")");
        if (r.preview() != null) {
            Path prev = output.resolve("preview-" + r.seed() + ".safetensors");
            r.preview().save(prev, "latent", meta);
            System.err.println("surf: wrote " + prev + " (preview " + r.preview().shape() + ")");
        }
    }
}
