package example;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HelloSurfTest {
    @Test
    void theExampleRunsAndSavesALatent(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("latent.safetensors");
        HelloSurf.main(new String[] {out.toString()});
        assertTrue(Files.size(out) > 16 * 3 * 32 * 32 * 4, "a 16 x 3 x 32 x 32 F32 latent was written");
    }
}
