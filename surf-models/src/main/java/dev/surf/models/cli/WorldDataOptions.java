package dev.surf.models.cli;

import dev.surf.core.Backend;
import dev.surf.core.io.OutputPlan;
import dev.surf.models.api.TinyModels;
import dev.surf.models.vae.VaeCheckpoint;
import dev.surf.models.vae.WanVaeEncoder;
import dev.surf.models.video.FfmpegMp4Writer;
import dev.surf.models.weights.RandomWeights;
import dev.surf.models.world.WorldClip;
import dev.surf.models.world.data.ClipSource;
import dev.surf.models.world.data.FolderClips;
import dev.surf.models.world.data.WorldClips;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The training-data options of the commands that learn from the world's clips: where the clips come
 * from (the procedural world or a folder of captioned videos), their size and count, and the VAE
 * that encodes them.
 */
final class WorldDataOptions {
    @Option(names = "--data", required = true, description = "'world' (the procedural world rendered from --world-seed) or a folder of"
            + " captioned videos (what surf world writes; NAME.txt beside a video is its caption)")
    String data;

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

    /** Width and height from --size, checked. */
    int[] size() {
        int[] wh = SizeOption.parse("--size", size, "128x128");
        if (wh[0] < 16 || wh[1] < 16 || wh[0] % 16 != 0 || wh[1] % 16 != 0) {
            throw new SurfCli.UserException("--size " + size + ": width and height must be positive multiples of 16 (VAE stride 8, DiT patch 2)");
        }
        return wh;
    }

    /** Checks the values that need no file, and that output does not lie inside a --data folder. */
    void check(Path output) {
        if (vaeConfig != null && vae == null) {
            throw new SurfCli.UserException("--vae-config needs --vae");
        }
        if (clips < 1) {
            throw new SurfCli.UserException("--clips must be >= 1, got " + clips);
        }
        Path folder = folder();
        if (folder != null && output.toAbsolutePath().normalize().startsWith(folder.toAbsolutePath().normalize())) {
            throw new SurfCli.UserException("--output " + output + " is inside --data " + data + ": it would be read as a video");
        }
    }

    boolean world() {
        return data.equals("world");
    }

    /** The --data folder, or null for the world. */
    Path folder() {
        return world() ? null : Path.of(data);
    }

    /** Declares the files these options read. */
    OutputPlan inputs(OutputPlan plan) {
        plan.input("--vae", vae).input("--vae-config", vaeConfig);
        return folder() == null ? plan : plan.input("--data", folder());
    }

    /** The clips, announced on err. */
    ClipSource clips(PrintStream err) throws IOException {
        int[] wh = size();
        ClipSource source = world() ? new WorldClips(worldSeed, clips, wh[0], wh[1])
                : FolderClips.scan(folder(), WorldClip.FRAMES, wh[0], wh[1], FfmpegMp4Writer.find());
        err.printf(Locale.ROOT, "surf: %d clips of %d frames at %dx%d from %s%n", source.size(), source.frameCount(), wh[0], wh[1],
                world() ? "the world (seed " + worldSeed + ")" : data);
        return source;
    }

    /** The values a resumed run must share with the run it continues (RunSettings), in a new ordered map. */
    Map<String, String> settings() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("--data", world() ? "world" : folder().toAbsolutePath().normalize().toString());
        if (world()) {
            v.put("--clips", Integer.toString(clips));
            v.put("--world-seed", Long.toString(worldSeed));
        }
        int[] wh = size();
        v.put("--size", wh[0] + "x" + wh[1]);
        v.put("--vae", vae == null ? "embedded tiny random" : vae.toAbsolutePath().normalize().toString());
        return v;
    }

    /** The encoder of --vae, or the embedded tiny random one (said on err). */
    WanVaeEncoder encoder(Backend be, PrintStream err) throws IOException {
        if (vae == null) {
            err.println("surf: no --vae: the embedded tiny Wan-VAE (RANDOM WEIGHTS): the latents are of no decoder's clips");
            return WanVaeEncoder.load(new RandomWeights(TinyModels.VAE_SEED), be, TinyModels.VAE);
        }
        return VaeCheckpoint.loadEncoder(vae, vaeConfig, be);
    }
}
