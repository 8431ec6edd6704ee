package dev.surf.models.cli;

import dev.surf.core.Backend;
import dev.surf.core.Backends;
import dev.surf.core.Tensor;
import dev.surf.core.io.OutputPlan;
import dev.surf.models.api.Latent;
import dev.surf.models.vae.VaeCheckpoint;
import dev.surf.models.vae.VaeTiling;
import dev.surf.models.vae.VideoLatents;
import dev.surf.models.vae.WanVaeEncoder;
import dev.surf.models.video.FfmpegMp4Writer;
import dev.surf.models.video.VideoInput;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code surf vae-encode}: Wan-VAE encoding of a video, frame folder or video tensor into normalised latents. */
@Command(name = "vae-encode", mixinStandardHelpOptions = true,
        description = {"Encode a video with the Wan-VAE into normalised latents mu [16,1+(T-1)/4,H/8,W/8] (tensor mu of --output),"
            + " what the official WanVAE.encode returns and the DiT works on.",
            "--video takes an MP4/WebM/MOV (through ffmpeg), a folder of PNG/JPEG frames, or a .safetensors with tensor video"
                    + " [3,T,H,W] in [-1,1]. Frames are centre-cropped to multiples of 16 (or scaled and cropped to --size);"
                    + " trailing frames beyond 1+4n are dropped."})
final class VaeEncodeCommand implements Callable<Integer> {
    @Option(names = "--vae", required = true,
            description = "VAE checkpoint: Wan2.1_VAE.pth, a safetensors repack (official names) or a diffusers AutoencoderKLWan file/folder")
    Path vae;

    @Option(names = "--vae-config", description = "JSON with dim, z_dim, dim_mult, num_res_blocks, temperal_downsample (default: Wan 2.1, widths from the weights)")
    Path vaeConfig;

    @Option(names = "--video", required = true, description = "video file, folder of PNG/JPEG frames, or safetensors with tensor video")
    Path video;

    @Option(names = "--output", required = true, description = "OUT.safetensors for tensor mu")
    Path output;

    @Option(names = "--size", description = "scale and centre-crop frames to WIDTHxHEIGHT (multiples of 16; default: the source's, cropped)")
    String size;

    @Option(names = "--frames", defaultValue = "0", description = "use the first N = 1+4n frames, repeating the last frame of a shorter source (default: all, trimmed to 1+4n)")
    int frames;

    @Option(names = "--fps", defaultValue = "0", description = "resample a video file to this frame rate first (default: its own)")
    double fps;

    @Option(names = "--tile", negatable = true, description = "force spatial tiling on (--tile) or off (--no-tile); default: tiled above 1280x720")
    Boolean tile;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, cpu:THREADS, cuda, cuda:INDEX or auto (default: ${DEFAULT-VALUE})")
    String device;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (!output.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".safetensors")) {
            throw new SurfCli.UserException("--output " + output + ": the latents are written as a .safetensors file");
        }
        VideoInput.Request req = request(size, frames, fps);
        try (OutputPlan plan = OutputPlan.of("vae-encode").input("--vae", vae).input("--vae-config", vaeConfig)
                .input("--video", video).file("--output", output).check();
             VideoInput in = VideoInput.open(video, req, FfmpegMp4Writer.find());
             Backend be = Backends.open(device);
             WanVaeEncoder enc = VaeCheckpoint.loadEncoder(vae, vaeConfig, be)) {
            if (enc.weights().isRandom()) {
                out.println("WARNING: random VAE weights, the latents are meaningless");
            }
            boolean tiled = tile != null ? tile : VaeTiling.auto(in.width(), in.height());
            long start = System.nanoTime();
            Latent mu;
            try (Tensor t = VideoLatents.encode(enc, in, tiled, VaeTiling.DEFAULT)) {
                mu = Latent.of(be, t);
            }
            in.notes().forEach(n -> out.println("note: " + n));
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("producer", "surf vae-encode");
            meta.put("video", video.toString());
            meta.put("frames", String.valueOf(in.delivered()));
            meta.put("size", in.width() + "x" + in.height());
            mu.save(output, "mu", meta);
            plan.done();
            out.printf(Locale.ROOT, "encoded %s (%d frames %dx%d%s) on %s in %.2f s: mu %s in %s%n", in.describe(), in.delivered(),
                    in.width(), in.height(), tiled ? ", tiled" : "", be.name(), (System.nanoTime() - start) / 1e9, mu.shape(), output);
        }
        out.flush();
        return 0;
    }

    /** The reading request of --size, --frames and --fps (their checks name the flag). */
    static VideoInput.Request request(String size, int frames, double fps) {
        int w = 0;
        int h = 0;
        if (size != null) {
            int[] wh = SizeOption.parse("--size", size, "832x480");
            w = wh[0];
            h = wh[1];
            if (w == 0 || h == 0) {
                throw new SurfCli.UserException("--size " + size + ": width and height must be positive multiples of 16");
            }
        }
        return new VideoInput.Request(w, h, frames, fps);
    }
}
