package dev.surf.models.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.models.api.EmbeddedModel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --model NAME} picks an embedded model; anything else is a checkpoint path. */
class EmbeddedModelOptionTest {
    @TempDir
    Path dir;

    @Test
    void namesAreCaseInsensitiveAndOnlyExactNamesMatch() {
        assertEquals(EmbeddedModel.TINY_RANDOM, EmbeddedModel.byName(" Tiny-Random ").orElseThrow());
        assertTrue(EmbeddedModel.byName("tiny").isEmpty());
        assertTrue(EmbeddedModel.byName("./tiny-random").isEmpty());
    }

    @Test
    void anEmbeddedNameRunsThatModelAndSaysSo() throws Exception {
        Path out = dir.resolve("out");
        CliRun r = CliRun.of("generate", "--model", "TINY-random", "--steps", "1", "--video", "none", "--device", "cpu:1",
                "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("--model tiny-random"), r.err());
        assertTrue(Files.isDirectory(out));
    }

    @Test
    void aPathSpellingOfTheNameIsACheckpointPath() throws Exception {
        Path out = dir.resolve("out");
        CliRun r = CliRun.of("generate", "--model", dir.resolve("tiny-random").toString(), "--steps", "1", "--video", "none",
                "--device", "cpu:1", "--output", out.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("tiny-random"), r.err());
        assertTrue(Files.notExists(out), "a refused run writes nothing");
    }
}
