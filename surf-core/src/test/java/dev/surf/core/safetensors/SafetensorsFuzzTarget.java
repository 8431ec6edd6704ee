package dev.surf.core.safetensors;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.surf.core.fuzz.FuzzFiles;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * Coverage-guided fuzzing of the safetensors reader (header length, JSON header, dtypes, shapes, data
 * offsets) with Jazzer. Any bytes must either open, with every tensor's bytes inside the file where
 * the header says, or fail with a {@link SafetensorsException}; any other throwable is a finding.
 * Seeds: {@code SafetensorsFuzzTargetInputs/openAndRead/} (small files and the header of a
 * conformance fixture). docs/reliability.md says how to run it longer.
 */
public class SafetensorsFuzzTarget {
    /** The entry point of Jazzer's standalone driver, for long runs (docs/reliability.md). */
    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        new SafetensorsFuzzTarget().openAndRead(data);
    }

    @FuzzTest(maxDuration = "4s")
    void openAndRead(byte[] data) throws Exception {
        Path file = FuzzFiles.write("fuzz.safetensors", data);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (String name : f.names()) {
                TensorInfo info = f.info(name);
                if (info.dtype() == null) {
                    continue;
                }
                MemorySegment seg = f.data(name);
                if (seg.byteSize() != info.byteSize()) {
                    throw new AssertionError(name + ": " + seg.byteSize() + " bytes for " + info);
                }
            }
        } catch (SafetensorsException expected) {
            // a clean refusal naming the file
        }
    }
}
