package dev.surf.models.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.safetensors.WeightStore;
import dev.surf.core.testing.Fixtures;
import dev.surf.core.testing.TorchZipWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code surf inspect}: the naming line, then the listing; safetensors and torch .pth alike. */
class InspectCommandTest {

    @Test
    void printsTheNamingThenEveryTensorOfEitherContainer(@TempDir Path dir) throws Exception {
        Path st = Fixtures.path("wan-vae-tiny.safetensors");
        Path pth;
        try (WeightStore s = WeightStore.open(st)) {
            pth = TorchZipWriter.writeStateDict(s, dir.resolve("Wan2.1_VAE.pth"));
        }
        List<String> a = CliRun.of("inspect", st.toString()).out().lines().toList();
        CliRun r = CliRun.of("inspect", pth.toString());
        assertEquals(0, r.code(), r.err());
        List<String> b = r.out().lines().toList();
        assertEquals("format: wan-official", a.get(0));
        assertEquals("files: 1, tensors: 108, bytes: 2096364", a.get(1));
        assertEquals(a, b, "the same tensors, whatever the container");

        CliRun missing = CliRun.of("inspect", dir.resolve("nope.safetensors").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("nope.safetensors") && !missing.err().contains("\tat "), missing.err());
    }
}
