package dev.surf.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The output policy: every refusal names the flag and the path, leaves every file as it was and
 * creates nothing; what is allowed passes and creates only the declared containers.
 */
class OutputPlanTest {
    @TempDir
    Path dir;

    private Path model() throws Exception {
        Path m = dir.resolve("model.safetensors");
        Files.write(m, new byte[] {1, 2, 3, 4});
        return m;
    }

    /** Checks that the plan is refused with a message holding all the given words, and nothing changed on disk. */
    private void assertRefused(OutputPlan plan, String... words) throws Exception {
        List<String> before = listing();
        OutputRefusedException e = assertThrows(OutputRefusedException.class, plan::check);
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), e.getMessage() + " lacks " + w);
        }
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        assertEquals(before, listing(), "a refused plan changes nothing on disk");
    }

    private List<String> listing() throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.map(p -> dir.relativize(p) + (Files.isRegularFile(p) ? ":" + p.toFile().length() : "")).sorted().toList();
        }
    }

    @Test
    void anOutputThatIsAnInputIsRefused() throws Exception {
        Path m = model();
        assertRefused(OutputPlan.of("forward").input("--model", m).file("--output", m), "--output", "--model", "replaced");
        // the same file by another spelling
        assertRefused(OutputPlan.of("forward").input("--model", m).file("--output", dir.resolve("./x/../model.safetensors")),
                "--output");
        assertArrayEquals(new byte[] {1, 2, 3, 4}, Files.readAllBytes(m));
    }

    @Test
    void anOutputThatResolvesToAnInputThroughLinksIsRefused() throws Exception {
        Path m = model();
        Path soft = Files.createSymbolicLink(dir.resolve("soft.safetensors"), m);
        assertRefused(OutputPlan.of("forward").input("--model", m).file("--output", soft), "--output", "soft");
        Path hard = Files.createLink(dir.resolve("hard.safetensors"), m);
        assertRefused(OutputPlan.of("forward").input("--model", m).file("--output", hard), "--output", "hard");
        Path linkedDir = Files.createSymbolicLink(dir.resolve("alias"), dir);
        assertRefused(OutputPlan.of("forward").input("--model", m).file("--output", linkedDir.resolve("model.safetensors")),
                "--output");
    }

    @Test
    void anExistingFileInsideAnInputFolderIsRefusedButANewOneIsNot() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("Wan2.1"));
        Path weights = folder.resolve("diffusion_pytorch_model.safetensors");
        Files.write(weights, new byte[] {9});
        assertRefused(OutputPlan.of("forward").input("--model", folder).file("--output", weights), "inside the input folder");
        try (OutputPlan ok = OutputPlan.of("generate").input("--model", folder).container("--output", folder)
                .file("--output", folder.resolve("latent-1.safetensors")).check()) {
            ok.done();
        }
    }

    @Test
    void somethingOtherThanARegularFileIsRefused() throws Exception {
        Path sub = Files.createDirectory(dir.resolve("sub"));
        assertRefused(OutputPlan.of("forward").file("--output", sub), "--output", "not a regular file", "folder");
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("nowhere"));
        assertRefused(OutputPlan.of("forward").file("--output", dangling), "symbolic link to nothing");
        Path fifo = dir.resolve("fifo");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        if (p.waitFor() == 0) {
            assertRefused(OutputPlan.of("forward").file("--output", fifo), "device, pipe or socket");
        }
    }

    @Test
    void anExistingFolderOutputMustBeEmpty() throws Exception {
        Path frames = Files.createDirectory(dir.resolve("video-42"));
        Files.write(frames.resolve("frame_00000.png"), new byte[] {7});
        assertRefused(OutputPlan.of("generate").container("--output", dir).folder("--output", frames), "not empty");
        Path empty = Files.createDirectory(dir.resolve("empty"));
        OutputPlan.of("vae-decode").folder("--output", empty).check().close();
        Path file = model();
        assertRefused(OutputPlan.of("vae-decode").folder("--output", file), "not a folder");
    }

    @Test
    void aMissingParentIsRefusedUnlessTheContainerIsPlanned() throws Exception {
        Path out = dir.resolve("missing/out.safetensors");
        assertRefused(OutputPlan.of("forward").file("--output", out), "--output", "does not exist");
        Path container = dir.resolve("out/run1");
        try (OutputPlan plan = OutputPlan.of("generate").container("--output", container)
                .file("--output", container.resolve("latent-1.safetensors")).check()) {
            assertTrue(Files.isDirectory(container), "the container is created by check");
        }
        assertFalse(Files.exists(dir.resolve("out")), "an unfinished run removes the empty containers it created");
        try (OutputPlan plan = OutputPlan.of("generate").container("--output", container).check()) {
            plan.done();
        }
        assertTrue(Files.isDirectory(container), "a finished run keeps them");
    }

    @Test
    void aFileWhereAFolderGoesIsRefused() throws Exception {
        Path file = model();
        assertRefused(OutputPlan.of("generate").container("--output", file), "--output", "not a folder");
        assertRefused(OutputPlan.of("forward").file("--output", file.resolve("x.safetensors")), "not a folder");
    }

    @Test
    void twoOutputsWithOnePathAreRefused() throws Exception {
        Path out = dir.resolve("o.png");
        assertRefused(OutputPlan.of("vae-decode").file("--preview", out).file("--output", out), "written twice");
    }

    @Test
    void aRegularFileMayBeReplacedAndNewPathsPass() throws Exception {
        Path old = model();
        OutputPlan.of("forward").input("--input", dir.resolve("in.safetensors")).file("--output", old)
                .file("--preview", dir.resolve("new.png")).check().close();
        assertArrayEquals(new byte[] {1, 2, 3, 4}, Files.readAllBytes(old), "check itself writes nothing");
    }
}
