package dev.surf.models.cli;

import dev.surf.core.Backend;
import dev.surf.core.Backends;
import dev.surf.core.Tensor;
import dev.surf.core.io.OutputPlan;
import dev.surf.core.safetensors.SafetensorsFile;
import dev.surf.core.safetensors.TensorInfo;
import dev.surf.models.pipeline.Limits;
import dev.surf.models.vae.VaeCheckpoint;
import dev.surf.models.vae.WanVaeDecoder;
import dev.surf.models.video.FfmpegMp4Writer;
import dev.surf.models.video.LatentPreview;
import dev.surf.models.video.VideoOutput;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code surf vae-decode}: Wan-VAE decoding of a latent tensor into a video file, PNG frames or a tensor. */
@Command(name = "vae-decode", mixinStandardHelpOptions = true,
        description = {"Decode normalised Wan 2.1 latents z [16,T,h,w] (tensor z of --latent) with the Wan-VAE.",
            "--output OUT.mp4 writes H.264 through ffmpeg (PNG frames beside it when there is no ffmpeg),"
                    + " OUT.safetensors the tensor video [3,1+4(T-1),8h,8w] in [-1,1], any other name a folder of PNG frames."})
final class VaeDecodeCommand implements Callable<Integer> {
    @Option(names = "--vae", required = true,
            description = "VAE checkpoint: Wan2.1_VAE.pth, a safetensors repack (official names) or a diffusers AutoencoderKLWan file/folder")
    Path vae;

    @Option(names = "--vae-config", description = "JSON with dim, z_dim, dim_mult, num_res_blocks, temperal_downsample (default: Wan 2.1, widths from the weights)")
    Path vaeConfig;

    @Option(names = "--latent", required = true, description = "safetensors holding the latent tensor")
    Path latent;

    @Option(names = "--tensor", defaultValue = "z", description = "name of the latent tensor in --latent (default: ${DEFAULT-VALUE})")
    String tensor;

    @Option(names = "--output", required = true, description = "OUT.mp4, OUT.safetensors, or a folder for PNG frames")
    Path output;

    @Option(names = "--fps", defaultValue = "16", description = "frame rate of an MP4 (default: ${DEFAULT-VALUE}, Wan 2.1's)")
    double fps;

    @Option(names = "--preview", description = "also write a latent-to-RGB preview PNG of the first latent frame (no VAE needed, instant)")
    Path preview;

    @Option(names = "--tile", negatable = true, description = "force spatial tiling on (--tile) or off (--no-tile); default: tiled above 1280x720")
    Boolean tile;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, cpu:THREADS, cuda, cuda:INDEX or auto (default: ${DEFAULT-VALUE})")
    String device;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Limits.fps(fps);
        String ffmpeg = FfmpegMp4Writer.find();
        OutputPlan plan = OutputPlan.of("vae-decode").input("--vae", vae).input("--vae-config", vaeConfig).input("--latent", latent)
                .file("--preview", preview);
        switch (VideoOutput.kindOf(output)) {
            case SAFETENSORS -> plan.file("--output", output);
            case MP4 -> {
                if (ffmpeg != null) {
                    plan.file("--output", output);
                } else {
                    plan.folder("--output", VideoOutput.fallbackFolder(output));
                }
            }
            case PNG_FRAMES -> plan.folder("--output", output);
        }
        try (OutputPlan checked = plan.check(); SafetensorsFile in = SafetensorsFile.open(latent)) {
            TensorInfo z = requireLatent(in);
            try (Backend be = Backends.open(device);
                 WanVaeDecoder dec = VaeCheckpoint.load(vae, vaeConfig, be);
                 Tensor zt = be.fromBytes(z.dtype(), z.shape(), in.data(z.name()))) {
                if (z.shape().dim(0) != dec.config().zDim()) {
                    throw new SurfCli.UserException("tensor " + tensor + " in " + latent + " has " + z.shape().dim(0)
                            + " channels (shape " + z.shape() + "); this VAE decodes " + dec.config().zDim());
                }
                if (preview != null) {
                    LatentPreview.writePng(be, zt, 0, dec.config().spaceStride(), preview);
                    out.println("latent preview of frame 0 written to " + preview);
                    out.flush();
                }
                if (dec.weights().isRandom()) {
                    out.println("WARNING: random VAE weights, the video is meaningless");
                }
                long start = System.nanoTime();
                String what = VideoOutput.decode(dec, zt, output, fps, ffmpeg, note -> {
                    out.println("note: " + note);
                    out.flush();
                }, tile);
                checked.done();
                out.printf("decoded %s on %s in %.2f s: %s%n", z.shape(), be.name(), (System.nanoTime() - start) / 1e9, what);
            }
        }
        out.flush();
        return 0;
    }

    private TensorInfo requireLatent(SafetensorsFile in) {
        if (!in.has(tensor)) {
            throw new SurfCli.UserException("input " + latent + " lacks tensor '" + tensor + "' (expected [16, T, h, w]); it holds "
                    + (in.names().isEmpty() ? "no tensors" : String.join(", ", in.names().subList(0, Math.min(8, in.names().size())))
                    + (in.names().size() > 8 ? ", ..." : "")) + (tensor.equals("z") ? " (choose one with --tensor)" : ""));
        }
        TensorInfo info = in.info(tensor);
        if (info.dtype() == null || !info.dtype().isFloating()) {
            throw new SurfCli.UserException("tensor " + tensor + " in " + latent + " has dtype " + info.dtypeName()
                    + "; expected F32, BF16 or F16");
        }
        if (info.shape().rank() != 4 || info.shape().numel() == 0) {
            throw new SurfCli.UserException("tensor " + tensor + " in " + latent + " has shape " + info.shape()
                    + "; expected [16, T, h, w] with T, h, w >= 1");
        }
        return info;
    }
}
