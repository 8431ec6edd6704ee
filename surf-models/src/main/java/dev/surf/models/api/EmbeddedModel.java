package dev.surf.models.api;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The models that ship inside the engine, by the name {@code --model} takes. A name is looked up before
 * the file system: {@code --model tiny-random} is the embedded model even when a file of that name lies
 * in the working folder (write {@code ./tiny-random} for the file).
 */
public enum EmbeddedModel {
    /**
     * The tiny Wan-architecture DiT, Refiner and Wan-VAE of {@link TinyModels} with deterministic random
     * weights: the whole pipeline runs in seconds, the pictures are coloured noise. Tests and benchmarks
     * use it as a fixed model.
     */
    TINY_RANDOM("tiny-random", "the embedded tiny Wan-architecture model with random weights");

    private final String cliName;
    private final String description;

    EmbeddedModel(String cliName, String description) {
        this.cliName = cliName;
        this.description = description;
    }

    /** The name {@code --model} takes. */
    public String cliName() {
        return cliName;
    }

    /** One phrase for the run's announcement. */
    public String description() {
        return description;
    }

    /** The embedded model of this name (case-insensitive, surrounding spaces ignored), if there is one. */
    public static Optional<EmbeddedModel> byName(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(m -> m.cliName.equals(n)).findFirst();
    }

    /** The names, comma separated, for messages. */
    public static String names() {
        return Arrays.stream(values()).map(EmbeddedModel::cliName).collect(Collectors.joining(", "));
    }
}
