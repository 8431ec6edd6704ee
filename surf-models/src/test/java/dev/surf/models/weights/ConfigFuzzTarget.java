package dev.surf.models.weights;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.surf.core.fuzz.FuzzFiles;
import dev.surf.models.t5.UmT5Config;
import dev.surf.models.vae.WanVaeConfig;
import dev.surf.models.wan.WanConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing of the three config.json readers (the DiT's, official or diffusers; the
 * VAE's; umT5's): the first byte picks the reader, the rest is the file. Any bytes give a config or an
 * IOException / IllegalArgumentException with a message; anything else (a NullPointerException on a
 * missing field, an arithmetic error on a huge width) is a finding. Seeds: {@code ConfigFuzzTargetInputs/read/}.
 */
public class ConfigFuzzTarget {
    /** The entry point of Jazzer's standalone driver, for long runs (docs/reliability.md). */
    public static void fuzzerTestOneInput(byte[] data) throws IOException {
        new ConfigFuzzTarget().read(data);
    }

    @FuzzTest(maxDuration = "4s")
    void read(byte[] data) throws IOException {
        if (data.length == 0) {
            return;
        }
        Path file = FuzzFiles.write("config.json", Arrays.copyOfRange(data, 1, data.length));
        try {
            switch (Math.floorMod(data[0], 3)) {
                case 0 -> WanConfig.fromJson(file);
                case 1 -> WanVaeConfig.fromJson(file);
                default -> UmT5Config.fromJson(file);
            }
        } catch (IOException | IllegalArgumentException expected) {
            if (expected.getMessage() == null || expected.getMessage().isBlank()) {
                throw new AssertionError("an error without a message", expected);
            }
        }
    }
}
