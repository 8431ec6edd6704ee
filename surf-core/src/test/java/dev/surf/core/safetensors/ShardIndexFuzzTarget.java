package dev.surf.core.safetensors;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.surf.core.fuzz.FuzzFiles;

/**
 * Coverage-guided fuzzing of the sharded checkpoint index ({@code model.safetensors.index.json}):
 * any bytes give an index whose shard paths stay inside the index's folder, or a
 * {@link SafetensorsException}. Seeds: {@code ShardIndexFuzzTargetInputs/read/}.
 */
public class ShardIndexFuzzTarget {
    /** The entry point of Jazzer's standalone driver, for long runs (docs/reliability.md). */
    public static void fuzzerTestOneInput(byte[] data) {
        new ShardIndexFuzzTarget().read(data);
    }

    @FuzzTest(maxDuration = "4s")
    void read(byte[] data) {
        java.nio.file.Path file = FuzzFiles.write("model.safetensors.index.json", data);
        try {
            ShardIndex index = ShardIndex.read(file);
            for (java.nio.file.Path shard : index.weightMap().values()) {
                if (!shard.normalize().startsWith(file.getParent().normalize())) {
                    throw new AssertionError("shard " + shard + " lies outside " + file.getParent());
                }
            }
        } catch (SafetensorsException expected) {
            // a clean refusal naming the file
        }
    }
}
