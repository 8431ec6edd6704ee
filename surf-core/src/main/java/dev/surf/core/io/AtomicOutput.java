package dev.surf.core.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

/**
 * One output file or folder written under a temporary name beside its target and renamed into place
 * when complete: the target is at every moment either what it was before or the complete new output.
 * Until {@link #commit()} the temporary path is listed in {@link PendingFiles}, so an interrupted run
 * leaves nothing behind; {@link #close()} without a commit removes it.
 *
 * <pre>{@code
 * try (AtomicOutput out = AtomicOutput.file(path)) {
 *     Files.write(out.temp(), bytes);
 *     out.commit();
 * }
 * }</pre>
 *
 * A file target may replace an existing regular file (a symbolic link is followed: the file it points
 * to is replaced and the link kept); a folder target must not exist or be an empty folder. Any other
 * existing target is refused with {@link OutputRefusedException}. Errors name the target and the
 * reason, never only the temporary name.
 */
public final class AtomicOutput implements AutoCloseable {
    private final Path target;
    private final Path temp;
    private final boolean folder;
    private boolean committed;

    private AtomicOutput(Path target, Path temp, boolean folder) {
        this.target = target;
        this.temp = temp;
        this.folder = folder;
    }

    /** Starts writing a file: an empty temporary file beside the target, readable by all (rw-r--r--). */
    public static AtomicOutput file(Path target) throws IOException {
        Path t = resolveTarget(target, false);
        try {
            Path tmp = Files.createTempFile(t.getParent(), "." + t.getFileName() + ".", ".tmp");
            PendingFiles.add(tmp);
            permit(tmp, "rw-r--r--");
            return new AtomicOutput(t, tmp, false);
        } catch (IOException e) {
            throw WriteFailure.of(t, e);
        }
    }

    /** Starts writing a folder: an empty temporary folder beside the target, readable by all (rwxr-xr-x). */
    public static AtomicOutput folder(Path target) throws IOException {
        Path t = resolveTarget(target, true);
        try {
            Path tmp = Files.createTempDirectory(t.getParent(), "." + t.getFileName() + ".");
            PendingFiles.add(tmp);
            permit(tmp, "rwxr-xr-x");
            return new AtomicOutput(t, tmp, true);
        } catch (IOException e) {
            throw WriteFailure.of(t, e);
        }
    }

    /** Where to write until the commit. */
    public Path temp() {
        return temp;
    }

    /** Where the output will be once committed (absolute; symbolic links to a file resolved). */
    public Path target() {
        return target;
    }

    /** Flushes the file to the disk and renames it onto the target. */
    public void commit() throws IOException {
        if (committed) {
            throw new IllegalStateException(target + " is already committed");
        }
        try {
            if (!folder) {
                try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
            } else if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                requireEmptyFolder(target);
                Files.delete(target);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw WriteFailure.of(target, e);
        }
        committed = true;
        PendingFiles.remove(temp);
    }

    /** Removes the temporary output unless it was committed. */
    @Override
    public void close() {
        if (!committed) {
            PendingFiles.deleteTree(temp);
            PendingFiles.remove(temp);
        }
    }

    /**
     * The absolute path to write to, after checking what is there now: a missing parent folder, an
     * existing non-regular file (or a non-empty folder for a folder target) is refused.
     */
    static Path resolveTarget(Path target, boolean folder) throws IOException {
        Path abs = target.toAbsolutePath().normalize();
        if (Files.isSymbolicLink(abs) && !folder) {
            if (!Files.exists(abs)) {
                throw new OutputRefusedException(target + " is a symbolic link to nothing; give a regular file or a new path");
            }
            abs = abs.toRealPath();
        }
        Path dir = abs.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new OutputRefusedException("cannot write " + target + ": "
                    + (dir != null && Files.exists(dir) ? dir + " is not a folder" : "folder " + dir + " does not exist"));
        }
        if (Files.exists(abs, LinkOption.NOFOLLOW_LINKS)) {
            if (folder) {
                if (!Files.isDirectory(abs, LinkOption.NOFOLLOW_LINKS)) {
                    throw new OutputRefusedException(target + " exists and is not a folder; choose a new folder");
                }
                requireEmptyFolder(abs);
            } else if (!Files.isRegularFile(abs, LinkOption.NOFOLLOW_LINKS)) {
                throw new OutputRefusedException(target + " exists and is not a regular file ("
                        + (Files.isDirectory(abs) ? "a folder" : "a device, pipe or socket") + "); give a file name");
            }
        }
        return abs;
    }

    private static void requireEmptyFolder(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            if (s.findAny().isPresent()) {
                throw new OutputRefusedException(dir + " exists and is not empty; choose a new folder (nothing was written)");
            }
        }
    }

    private static void permit(Path p, String perms) throws IOException {
        if (p.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
        }
    }
}
