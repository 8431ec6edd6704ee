package dev.surf.core.pth;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;

/**
 * Coverage-guided fuzzing of the restricted unpickler alone (the opcodes reach it directly, without
 * the zip layer in front), with Jazzer: any bytes give a value or a {@link PthException}, quickly and
 * without running anything. Seeds: {@code PickleFuzzTargetInputs/load/} (torch state-dict pickles).
 */
public class PickleFuzzTarget {
    private static final Path FILE = Path.of("fuzz.pth");

    /** The entry point of Jazzer's standalone driver, for long runs (docs/reliability.md). */
    public static void fuzzerTestOneInput(byte[] data) {
        new PickleFuzzTarget().load(data);
    }

    @FuzzTest(maxDuration = "4s")
    void load(byte[] data) {
        try {
            RestrictedUnpickler.load(FILE, "archive/data.pkl", data);
        } catch (PthException expected) {
            // a clean refusal naming the opcode and its offset
        }
    }
}
