package dev.surf.core.pth;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.surf.core.fuzz.FuzzFiles;
import dev.surf.core.safetensors.TensorInfo;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * Coverage-guided fuzzing of the torch checkpoint reader (zip directory, ZIP64, local headers, CRC,
 * deflate, the restricted unpickler, tensor validation) with Jazzer. Any bytes must open, with every
 * supported tensor readable at its validated size, or fail with a {@link PthException}. Seeds:
 * {@code PthFuzzTargetInputs/openAndRead/}, written by {@code dev.surf.core.fuzz.FuzzSeeds}.
 */
public class PthFuzzTarget {
    /** The entry point of Jazzer's standalone driver, for long runs (docs/reliability.md). */
    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        new PthFuzzTarget().openAndRead(data);
    }

    @FuzzTest(maxDuration = "4s")
    void openAndRead(byte[] data) throws Exception {
        Path file = FuzzFiles.write("fuzz.pth", data);
        try (PthArchive a = PthArchive.open(file)) {
            for (String name : a.names()) {
                TensorInfo info = a.info(name);
                if (info.dtype() == null) {
                    continue;
                }
                MemorySegment seg = a.data(name);
                if (seg.byteSize() != info.byteSize()) {
                    throw new AssertionError(name + ": " + seg.byteSize() + " bytes for " + info);
                }
            }
        } catch (PthException expected) {
            // a clean refusal naming the file
        }
    }
}
