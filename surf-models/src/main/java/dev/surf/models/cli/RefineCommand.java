package dev.surf.models.cli;

import dev.surf.core.Backend;
import dev.surf.core.Backends;
import dev.surf.core.Tensor;
import dev.surf.core.io.OutputPlan;
import dev.surf.models.api.GenerationRequest;
import dev.surf.models.api.GenerationResult;
import dev.surf.models.api.Latent;
import dev.surf.models.api.RefineOptions;
import dev.surf.models.api.SurfEngine;
import dev.surf.models.pipeline.VideoSize;
import dev.surf.models.vae.VaeCheckpoint;
import dev.surf.models.vae.VaeTiling;
import dev.surf.models.vae.VideoLatents;
import dev.surf.models.vae.WanVaeEncoder;
import dev.surf.models.video.FfmpegMp4Writer;
import dev.surf.models.video.VideoInput;
import dev.surf.models.video.VideoOutput;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code surf refine}: refine a saved preview (from generate --previews) to a target size, or enhance an
 * existing video (--video): encode it with the Wan-VAE, upscale the latent bilinearly, Refiner, decode.
 */
@Command(name = "refine", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Refine a preview latent (tensor 'latent' of a generate output) to a target size with the Refiner.",
            "With --video IN (a video file, frame folder or video tensor) and --vae: encode IN, refine its latent to"
                    + " --refine-to, and decode the result next to the refined latent (--size/--frames choose how IN is read)."})
final class RefineCommand implements Callable<Integer> {
    @Option(names = "--preview", description = "safetensors with the preview in tensor 'latent'")
    Path preview;

    @Option(names = "--video", description = "an existing video to enhance instead of a preview: video file, frame folder or"
            + " safetensors with tensor video [3,T,H,W]; needs --vae")
    Path video;

    @Option(names = "--vae", description = "Wan-VAE holding both halves (Wan2.1_VAE.pth, or a repack) for --video")
    Path vae;

    @Option(names = "--vae-config", description = "JSON config of --vae (default: Wan 2.1, widths from the weights)")
    Path vaeConfig;

    @Option(names = "--tile", negatable = true, description = "VAE spatial tiling for --video on or off (default: tiled above 1280x720)")
    Boolean tile;

    @Option(names = "--fps", defaultValue = "16", description = "frame rate of the refined MP4 (default ${DEFAULT-VALUE})")
    double fps;

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
        if ((preview == null) == (video == null)) {
            throw new SurfCli.UserException("give exactly one of --preview FILE and --video IN");
        }
        if (!refine.requested()) {
            throw new SurfCli.UserException("--refine-to WIDTHxHEIGHT is required");
        }
        if (video != null) {
            return refineVideo(out, err);
        }
        RefineOptions size = refine.target(1);
        Path file = output.resolve("refined-" + preview.getFileName().toString().replaceFirst("\\.safetensors$", "")
                + "-" + size.width() + "x" + size.height() + ".safetensors");
        try (OutputPlan plan = sampling.inputs(OutputPlan.of("refine")).input("--preview", preview).input("--refiner", refine.file())
                .container("--output", output).file("--output", file).check()) {
            Latent lat = Latent.load(preview, "latent");
            refine(lat, file, plan, out, err);
        }
        out.flush();
        return 0;
    }

    private void refine(Latent lat, Path file, OutputPlan plan, PrintWriter out, PrintStream err) throws Exception {
        SurfEngine.Builder b = sampling.engine(err);
        refine.configure(b, sampling.tiny());
        try (SurfEngine engine = b.build()) {
            SamplingOptions.announce(engine, err);
            GenerationRequest req = sampling.request(engine, err);
            RefineOptions how = refine.target(VideoSize.ofLatent(lat.frames(), lat.height(), lat.width()).frames(), engine, req);
            GenerationResult r = engine.refine(lat, req, how, new ProgressPrinter(err, ""), () -> false);
            r.latent().save(file, "latent", Map.of("producer", "surf refine", "preview", preview.toString()));
            plan.done();
            err.println("surf: wrote " + file + " (latent " + r.latent().shape() + ")");
            r.stages().forEach(s -> out.printf("%s: %d steps, %.2f s, %.4f TFLOP%n", s.name(), s.steps(), s.seconds(),
                    s.flops().total() / 1e12));
        }
    }

    /** --video: encode (VideoRefine), refine the latent, write it, decode it with the same VAE. */
    private int refineVideo(PrintWriter out, PrintStream err) throws Exception {
        if (vae == null) {
            throw new SurfCli.UserException("--video needs --vae (a Wan-VAE with encoder and decoder) to encode and decode it");
        }
        String stem = video.getFileName().toString().replaceFirst("\\.[A-Za-z0-9]+$", "");
        String ffmpeg = FfmpegMp4Writer.find();
        VideoInput.Request read = VaeEncodeCommand.request(sampling.size, sampling.frames == null ? 0 : sampling.frames, 0);
        RefineOptions named = refine.target(1);
        String name = "refined-" + stem + "-" + named.width() + "x" + named.height();
        Path file = output.resolve(name + ".safetensors");
        Path mp4 = output.resolve(name + ".mp4");
        OutputPlan plan = sampling.inputs(OutputPlan.of("refine")).input("--video", video).input("--vae", vae)
                .input("--vae-config", vaeConfig).input("--refiner", refine.file()).container("--output", output)
                .file("--output", file);
        if (ffmpeg != null) {
            plan.file("--output", mp4);
        } else {
            plan.folder("--output", VideoOutput.fallbackFolder(mp4));
        }
        try (OutputPlan checked = plan.check()) {
            Latent lat;
            String source;
            try (VideoInput in = VideoInput.open(video, read, ffmpeg); Backend be = Backends.open(sampling.device);
                 WanVaeEncoder enc = VaeCheckpoint.loadEncoder(vae, vaeConfig, be)) {
                long t0 = System.nanoTime();
                try (Tensor mu = VideoLatents.encode(enc, in, tile, VaeTiling.DEFAULT)) {
                    lat = Latent.of(be, mu);
                }
                in.notes().forEach(n -> err.println("surf: " + n));
                source = in.width() + "x" + in.height();
                err.printf(Locale.ROOT, "surf: encoded %s (%d frames %s) in %.2f s: latent %s%n", in.describe(), in.delivered(),
                        source, (System.nanoTime() - t0) / 1e9, lat.shape());
                // the request describes the encoded video, whatever --size / --frames defaulted to
                sampling.size = source;
                sampling.frames = in.delivered();
            }
            // the engine decodes with the same checkpoint (its Wan 2.1 layout inferred from the weights)
            SurfEngine.Builder b = sampling.engine(err).vae(vae);
            refine.configure(b, sampling.tiny());
            try (SurfEngine engine = b.build()) {
                SamplingOptions.announce(engine, err);
                GenerationRequest req = sampling.request(engine, err);
                GenerationResult r = engine.refine(lat, req, refine.target(sampling.frames, engine, req),
                        new ProgressPrinter(err, ""), () -> false);
                r.latent().save(file, "latent", Map.of("producer", "surf refine", "video", video.toString(), "source", source));
                err.println("surf: wrote " + file + " (latent " + r.latent().shape() + ")");
                long t0 = System.nanoTime();
                String what = engine.writeVideo(r.latent(), mp4, fps, note -> err.println("surf: " + note));
                checked.done();
                r.stages().forEach(s -> out.printf("%s: %d steps, %.2f s, %.4f TFLOP%n", s.name(), s.steps(), s.seconds(),
                        s.flops().total() / 1e12));
                out.printf(Locale.ROOT, "vae decode: %.2f s, %s%n", (System.nanoTime() - t0) / 1e9, what);
            }
        }
        out.flush();
        return 0;
    }
}
