package dev.surf.models.cli;

import dev.surf.models.api.GenerationRequest;
import dev.surf.models.api.RefineOptions;
import dev.surf.models.api.SurfEngine;
import dev.surf.models.api.TinyModels;
import dev.surf.models.pipeline.BaseRefine;
import dev.surf.models.pipeline.VideoSize;
import dev.surf.models.refiner.RefinerCheckpoint;
import dev.surf.models.refiner.RefinerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * Options of the refine stage, shared by generate and refine. Who refines: {@code --refiner PATH}
 * (trained Refiner weights, or any other Wan DiT checkpoint, which then refines training-free),
 * {@code --refiner base} (training-free with the base model: the default when --model is given),
 * {@code --refiner random} (a random Refiner: the tiny demo's default, flagged loudly).
 */
final class RefinerOptions {
    @Option(names = "--refine-to", description = "refine the preview to WIDTHxHEIGHT")
    String refineTo;

    @Option(names = "--refine-steps", description = "Refiner steps (default 10); with the training-free refine the length of "
            + "its schedule, run from --refine-start on (default --steps)")
    Integer refineSteps;

    @Option(names = "--refiner", description = "who refines: Refiner weights (official Wan key names), any other Wan DiT "
            + "checkpoint (training-free), 'base' (training-free with the base model; default with --model) or 'random' "
            + "(a RANDOM Refiner; default of the tiny demo)")
    String refiner;

    @Option(names = "--refine-start", description = "training-free refine: start sigma s0 in (0, 1] (default "
            + BaseRefine.DEFAULT_START_SIGMA + "; 1 = sample afresh at the target size)")
    Double refineStart;

    @Option(names = "--window", description = "attention window in latent frames: the Refiner's (default 4; tiny model 2), "
            + "or time windows for the training-free refine (default 0: the model's global attention)")
    Integer window;

    boolean requested() {
        return refineTo != null;
    }

    /** The --refiner file, or null for 'base' / 'random' / none (for the input checks). */
    Path file() {
        return refiner == null || keyword() != null ? null : Path.of(refiner);
    }

    private String keyword() {
        String k = refiner == null ? null : refiner.toLowerCase(Locale.ROOT);
        return "base".equals(k) || "random".equals(k) ? k : null;
    }

    /**
     * Sets who refines in the engine being built: --refiner PATH (a Refiner when its shapes are the
     * Refiner's, else a Wan DiT refining training-free), base, random; without --refiner the tiny
     * demo's random Refiner or, with --model, the base model training-free.
     */
    void configure(SurfEngine.Builder b, boolean tiny) {
        RefinerConfig base = tiny ? TinyModels.REFINER : RefinerConfig.DEFAULT;
        RefinerConfig rc = window == null ? base : new RefinerConfig(base.arch(), window);
        String k = keyword();
        if (refiner == null ? tiny : "random".equals(k)) {
            b.randomRefiner(TinyModels.REFINER_SEED, rc);
        } else if (refiner == null || "base".equals(k)) {
            b.refineWithBase();
        } else {
            Path p = Path.of(refiner);
            if (!Files.exists(p)) {
                throw new SurfCli.UserException("--refiner " + refiner + ": no such file or folder (or give 'base' or 'random')");
            }
            boolean trained;
            try {
                trained = RefinerCheckpoint.isRefiner(p, rc);
            } catch (IOException e) {
                throw new SurfCli.UserException("--refiner " + refiner + ": " + e.getMessage());
            }
            if (trained) {
                b.refiner(p, rc);
            } else {
                b.refineWithDit(p);
            }
        }
    }

    /** The refine target of --refine-to for a video of the given frame count (sizes only: the kind comes with the engine). */
    RefineOptions target(int frames) {
        VideoSize t;
        try {
            t = VideoSize.parse(refineTo, frames);
        } catch (IllegalArgumentException e) {
            throw new SurfCli.UserException("--refine-to " + refineTo + ": " + e.getMessage());
        }
        return new RefineOptions(t.width(), t.height(), refineSteps == null ? 10 : refineSteps, 1.0, 0.0, 1.0);
    }

    /**
     * The refine options for the engine built: the Refiner's, or the training-free refine's (its
     * schedule and guidance those of the request, s0 and the window from the options).
     */
    RefineOptions target(int frames, SurfEngine engine, GenerationRequest r) {
        RefineOptions t = target(frames);
        if (!engine.refinesTrainingFree()) {
            if (refineStart != null) {
                throw new SurfCli.UserException("--refine-start is for the training-free refine (--refiner base or a Wan DiT),"
                        + " not for a Refiner");
            }
            return t;
        }
        BaseRefine how;
        try {
            how = new BaseRefine(refineStart == null ? BaseRefine.DEFAULT_START_SIGMA : refineStart, window == null ? 0 : window);
        } catch (IllegalArgumentException e) {
            throw new SurfCli.UserException((refineStart != null && !(refineStart > 0 && refineStart <= 1) ? "--refine-start: "
                    : "--window: ") + e.getMessage());
        }
        return RefineOptions.fromBase(t.width(), t.height(), refineSteps == null ? r.steps() : refineSteps, r.shift(), r.guide(),
                how);
    }
}
