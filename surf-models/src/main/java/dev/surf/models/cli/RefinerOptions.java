package dev.surf.models.cli;

import dev.surf.models.api.RefineOptions;
import dev.surf.models.api.SurfEngine;
import dev.surf.models.api.TinyModels;
import dev.surf.models.pipeline.VideoSize;
import dev.surf.models.refiner.RefinerConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options of the refine stage, shared by generate and refine. */
final class RefinerOptions {
    @Option(names = "--refine-to", description = "refine the preview to WIDTHxHEIGHT with the Refiner")
    String refineTo;

    @Option(names = "--refine-steps", defaultValue = "10", description = "Refiner steps (default ${DEFAULT-VALUE})")
    int refineSteps;

    @Option(names = "--refiner", description = "Refiner weights (official Wan key names); without them a RANDOM Refiner runs")
    Path refiner;

    @Option(names = "--window", description = "Refiner attention window in latent frames (default 4; tiny model 2)")
    Integer window;

    boolean requested() {
        return refineTo != null;
    }

    /** Loads the Refiner into the engine being built: from --refiner, else random weights (flagged loudly). */
    void configure(SurfEngine.Builder b, boolean tiny) {
        RefinerConfig base = tiny ? TinyModels.REFINER : RefinerConfig.DEFAULT;
        RefinerConfig rc = window == null ? base : new RefinerConfig(base.arch(), window);
        if (refiner != null) {
            b.refiner(refiner, rc);
        } else {
            b.randomRefiner(TinyModels.REFINER_SEED, rc);
        }
    }

    /** The refine target of --refine-to for a video of the given frame count. */
    RefineOptions target(int frames) {
        VideoSize t;
        try {
            t = VideoSize.parse(refineTo, frames);
        } catch (IllegalArgumentException e) {
            throw new SurfCli.UserException("--refine-to " + refineTo + ": " + e.getMessage());
        }
        return new RefineOptions(t.width(), t.height(), refineSteps, 1.0, 0.0, 1.0);
    }
}
