package dev.surf.models.wan;

import java.nio.file.Path;
import java.util.Locale;

/**
 * A DiT configuration and where it came from, so that what was assumed can be said.
 *
 * @param config the configuration
 * @param origin how it was obtained
 * @param file   the config file read, or the checkpoint whose shapes were read
 */
public record WanConfigSource(WanConfig config, Origin origin, Path file) {

    /** How a configuration was obtained, in the order {@link WanCheckpoint#resolveConfig} tries them. */
    public enum Origin {
        /** The config file the caller named. */
        GIVEN_FILE,
        /** The config.json in the checkpoint's folder. */
        FOLDER_CONFIG,
        /** Read from the weight shapes; text_len, eps and the head count are assumed. */
        WEIGHT_SHAPES
    }

    /**
     * One line saying where the configuration came from and, when inferred, which values were
     * assumed: "config inferred from the weight shapes of X: assumed text_len 512, eps 1e-06, num_heads
     * = dim / 128 = 12".
     */
    public String describe() {
        return switch (origin) {
            case GIVEN_FILE -> "config from " + file;
            case FOLDER_CONFIG -> "config from " + file + " (beside the weights)";
            case WEIGHT_SHAPES -> String.format(Locale.ROOT, "config inferred from the weight shapes of %s (no config.json beside"
                    + " it): assumed text_len %d, eps %.0e, num_heads = dim / %d = %d", file, config.textLen(), config.eps(),
                    WanCheckpoint.INFERRED_HEAD_DIM, config.numHeads());
        };
    }
}
