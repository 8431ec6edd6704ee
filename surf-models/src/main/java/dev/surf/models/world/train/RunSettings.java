package dev.surf.models.world.train;

import dev.surf.core.io.AtomicOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The settings a DiT run's examples and updates depend on, kept as {@code run.txt} (one
 * {@code flag=value} line each, sorted) in the output folder, so that {@code --resume} refuses to
 * continue on other data or with another optimiser: the checkpoint itself only records the seeds and
 * the example count, and a different size, world seed or VAE with the same count would otherwise
 * continue silently on different latents. Flags that may change on resume (--steps,
 * --checkpoint-every, --device) are not part of it.
 */
public final class RunSettings {
    /** File name inside the output folder. */
    public static final String FILE = "run.txt";

    private final Map<String, String> values;

    /** Settings by flag name (e.g. "--size" to "128x128"). */
    public RunSettings(Map<String, String> values) {
        for (Map.Entry<String, String> e : values.entrySet()) {
            if (e.getKey().contains("=") || e.getKey().contains("\n") || e.getValue().contains("\n")) {
                throw new IllegalArgumentException("run setting " + e.getKey() + " cannot be written on one line");
            }
        }
        this.values = new TreeMap<>(values);
    }

    /** Writes {@code folder/run.txt} atomically. */
    public void write(Path folder) throws IOException {
        StringBuilder b = new StringBuilder();
        values.forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
        try (AtomicOutput out = AtomicOutput.file(folder.resolve(FILE))) {
            Files.writeString(out.temp(), b, StandardCharsets.UTF_8);
            out.commit();
        }
    }

    /**
     * Checks that the run saved in {@code folder} had these settings.
     *
     * @throws IOException one line naming the first flag whose value differs, or the missing file
     */
    public void requireSameAs(Path folder) throws IOException {
        Path file = folder.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new IOException("--resume: " + file + " is missing; it is not the folder of a surf train-dit run");
        }
        Map<String, String> saved = new TreeMap<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (String line : lines) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                saved.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        for (Map.Entry<String, String> e : values.entrySet()) {
            String before = saved.get(e.getKey());
            if (!e.getValue().equals(before)) {
                throw new IOException("--resume: the run in " + folder + " had " + e.getKey() + " " + (before == null ? "(unset)" : before)
                        + ", this one " + e.getValue() + "; resume with the settings of that run");
            }
        }
    }
}
