package dev.surf.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Temp-and-rename outputs: the target is the old one or the complete new one, and nothing is left behind. */
class AtomicOutputTest {
    @TempDir
    Path dir;

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aCommitReplacesTheTargetAndAnAbandonedWriteLeavesItAsItWas() throws Exception {
        Path f = dir.resolve("ckpt.safetensors");
        Files.write(f, new byte[] {1});
        try (AtomicOutput out = AtomicOutput.file(f)) {
            Files.write(out.temp(), new byte[] {2, 2});
            assertTrue(PendingFiles.pending().contains(out.temp()));
            // the failure happens before the commit
        }
        assertArrayEquals(new byte[] {1}, Files.readAllBytes(f));
        assertEquals(List.of("ckpt.safetensors"), names(), "no temporary file is left");
        try (AtomicOutput out = AtomicOutput.file(f)) {
            Files.write(out.temp(), new byte[] {3, 3, 3});
            out.commit();
            assertFalse(PendingFiles.pending().contains(out.temp()));
        }
        assertArrayEquals(new byte[] {3, 3, 3}, Files.readAllBytes(f));
        assertEquals(List.of("ckpt.safetensors"), names());
    }

    @Test
    void aLinkToAFileIsFollowedAndKept() throws Exception {
        Path real = dir.resolve("real.bin");
        Files.write(real, new byte[] {1});
        Path link = Files.createSymbolicLink(dir.resolve("link.bin"), real);
        try (AtomicOutput out = AtomicOutput.file(link)) {
            Files.write(out.temp(), new byte[] {5});
            out.commit();
        }
        assertTrue(Files.isSymbolicLink(link), "the link stays a link");
        assertArrayEquals(new byte[] {5}, Files.readAllBytes(real));
    }

    @Test
    void foldersAreRenamedWholeAndMustBeNewOrEmpty() throws Exception {
        Path frames = dir.resolve("frames");
        try (AtomicOutput out = AtomicOutput.folder(frames)) {
            Files.write(out.temp().resolve("frame_00000.png"), new byte[] {1});
            assertFalse(Files.exists(frames), "invisible until complete");
            out.commit();
        }
        assertTrue(Files.isRegularFile(frames.resolve("frame_00000.png")));
        OutputRefusedException e = assertThrows(OutputRefusedException.class, () -> AtomicOutput.folder(frames));
        assertTrue(e.getMessage().contains("not empty"), e.getMessage());
    }

    @Test
    void refusalsNameTheTargetNotATemporaryPath() throws Exception {
        Path sub = Files.createDirectory(dir.resolve("sub"));
        IOException e = assertThrows(IOException.class, () -> AtomicOutput.file(sub));
        assertTrue(e.getMessage().contains(sub.toString()) && !e.getMessage().contains(".tmp"), e.getMessage());
        Path missing = dir.resolve("no/such/out.bin");
        e = assertThrows(IOException.class, () -> AtomicOutput.file(missing));
        assertTrue(e.getMessage().contains("does not exist") && e.getMessage().contains(missing.toString()), e.getMessage());
        Path file = Files.write(dir.resolve("plain"), new byte[] {1});
        e = assertThrows(IOException.class, () -> AtomicOutput.file(file.resolve("x")));
        assertTrue(e.getMessage().contains("is not a folder"), e.getMessage());
    }

    /**
     * A child JVM writes a frames folder and a file through AtomicOutput and is interrupted with SIGINT
     * (as Ctrl-C does) and SIGTERM mid-write: nothing is left in the folder, hidden or not. A process
     * started in the background by a non-interactive shell ({@code cmd &}) inherits SIGINT ignored,
     * and the JVM then leaves it ignored (as it must: Ctrl-C does not reach background jobs); the
     * child would too, so the SIGINT case runs only where SIGINT is not ignored here.
     */
    @Test
    void anInterruptedWriterLeavesNoHiddenPartialOutput() throws Exception {
        List<String> signals = sigintIgnored() ? List.of("TERM") : List.of("INT", "TERM");
        if (signals.size() == 1) {
            System.out.println("AtomicOutputTest: SIGINT is ignored in this process (started in the background), so only SIGTERM is sent");
        }
        for (String signal : signals) {
            Path work = Files.createDirectory(dir.resolve("sig-" + signal));
            String java = ProcessHandle.current().info().command().orElse("java");
            Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), SlowWriter.class.getName(),
                    work.toString()).redirectErrorStream(true).start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                assertEquals("writing", r.readLine(), "the child started writing");
                try (Stream<Path> s = Files.list(work)) {
                    assertEquals(2, s.count(), "a temporary folder and a temporary file exist mid-write");
                }
                assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor());
                assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the child exits on SIG" + signal);
            } finally {
                p.destroyForcibly();
            }
            try (Stream<Path> s = Files.list(work)) {
                assertEquals(List.of(), s.map(Path::toString).toList(), "SIG" + signal + " leaves nothing behind");
            }
        }
    }

    /** Whether this process ignores SIGINT (bit 1 of the SigIgn mask in /proc/self/status). */
    private static boolean sigintIgnored() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return false;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << 1)) != 0;
            }
        }
        return false;
    }
}
