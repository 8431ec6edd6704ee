package dev.surf.core.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Temporary outputs not yet renamed into place. A shutdown hook removes whatever is still listed when
 * the JVM exits, so SIGINT (Ctrl-C) or SIGTERM in the middle of writing a checkpoint or a frames
 * folder leaves no hidden partial file behind. (SIGKILL and power loss cannot run a hook; there the
 * rename still guarantees the target is either the old one or the complete new one.)
 */
public final class PendingFiles {
    private static final Set<Path> PENDING = ConcurrentHashMap.newKeySet();
    private static volatile boolean hooked;

    private PendingFiles() {
    }

    /** Lists a temporary file or folder for removal at exit. */
    static void add(Path temp) {
        if (!hooked) {
            synchronized (PendingFiles.class) {
                if (!hooked) {
                    Runtime.getRuntime().addShutdownHook(new Thread(PendingFiles::removeAll, "surf-pending-files"));
                    hooked = true;
                }
            }
        }
        PENDING.add(temp);
    }

    /** Takes a path off the list (it was renamed into place or removed). */
    static void remove(Path temp) {
        PENDING.remove(temp);
    }

    /** The temporary outputs still pending (for tests and diagnostics). */
    public static Set<Path> pending() {
        return Set.copyOf(PENDING);
    }

    /** Removes every pending path; called by the shutdown hook. */
    static void removeAll() {
        for (Path p : PENDING) {
            deleteTree(p);
            PENDING.remove(p);
        }
    }

    /** Deletes a file or a folder with its contents, ignoring what is already gone. */
    static void deleteTree(Path p) {
        // twice: a writer still running may add a file while the first walk deletes
        for (int attempt = 0; attempt < 2 && Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS); attempt++) {
            try (Stream<Path> s = Files.walk(p)) {
                for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(q);
                }
            } catch (IOException | java.io.UncheckedIOException ignored) {
                // best effort at exit; the next attempt or the user sees what is left
            }
        }
    }
}
