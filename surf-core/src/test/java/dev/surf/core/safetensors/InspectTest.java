package dev.surf.core.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code surf inspect} listing on the conformance fixtures. */
class InspectTest {
    @TempDir
    Path dir;

    @Test
    void listsATestCaseFileExactly() throws IOException {
        try (WeightStore s = WeightStore.open(RawFile.fixture("t5-tiny-cases.safetensors"))) {
            assertEquals(List.of(
                    "files: 1, tensors: 8, bytes: 29888",
                    "a.context  F32  [13, 64]",
                    "a.ids      I64  [20]",
                    "a.mask     I64  [20]",
                    "a.out      F32  [20, 64]",
                    "b.context  F32  [40, 64]",
                    "b.ids      I64  [40]",
                    "b.mask     I64  [40]",
                    "b.out      F32  [40, 64]"), Inspect.describe(s));
        }
    }

    @Test
    void summarisesTheTinyDit() throws IOException {
        try (WeightStore s = WeightStore.open(RawFile.fixture("wan-dit-tiny.safetensors"))) {
            List<String> lines = Inspect.describe(s);
            assertEquals("files: 1, tensors: 69, bytes: 8940800", lines.get(0));
            assertEquals(70, lines.size());
            assertTrue(lines.contains("patch_embedding.weight             F32  [256, 16, 1, 2, 2]"), lines.toString());
            int dtypeColumn = lines.get(1).indexOf("  F32  ") + 2;
            for (String line : lines.subList(1, lines.size())) {
                assertEquals(dtypeColumn, line.indexOf("F32"), "columns aligned: " + line);
            }
        }
    }

    @Test
    void aFolderOfAllFourFixtures() throws IOException {
        for (String f : List.of("wan-dit-tiny", "wan-vae-tiny", "t5-tiny", "t5-tiny-cases")) {
            Files.copy(RawFile.fixture(f + ".safetensors"), dir.resolve(f + ".safetensors"));
        }
        try (WeightStore s = WeightStore.open(dir)) {
            List<String> lines = Inspect.describe(s);
            assertEquals("files: 4, tensors: " + (8 + 22 + 69 + 108) + ", bytes: " + (29888 + 455936 + 8940800 + 2096364),
                    lines.get(0));
        }
    }

    @Test
    void unsupportedDtypesAreShownByTheirStoredName() throws IOException {
        Path f = RawFile.write(dir.resolve("u.safetensors"), "{" + RawFile.entry("scale", "F8_E8M0", "[4]", 0, 4) + ","
                + RawFile.entry("w", "BF16", "[]", 4, 6) + "}", 6);
        try (WeightStore s = WeightStore.open(f)) {
            assertEquals(List.of("files: 1, tensors: 2, bytes: 6",
                    "scale  F8_E8M0  [4]", "w      BF16     []"), Inspect.describe(s));
        }
    }
}
