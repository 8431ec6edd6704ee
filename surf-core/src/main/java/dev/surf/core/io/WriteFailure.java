package dev.surf.core.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * Turns a low-level write error (which names only a temporary path and no reason) into one line that
 * names the file the user asked for and why it could not be written.
 */
final class WriteFailure {
    private WriteFailure() {
    }

    /** An IOException whose message says why {@code target} could not be written. */
    static IOException of(Path target, IOException e) {
        if (e instanceof OutputRefusedException) {
            return e;
        }
        Path dir = target.toAbsolutePath().getParent();
        String why;
        if (e instanceof AccessDeniedException) {
            why = "permission denied in folder " + dir;
        } else if (e instanceof NoSuchFileException) {
            why = dir != null && !Files.isDirectory(dir) ? "folder " + dir + " does not exist" : "a path on the way disappeared";
        } else if (e instanceof NotDirectoryException || (dir != null && Files.exists(dir) && !Files.isDirectory(dir))) {
            why = dir + " is not a folder";
        } else if (e instanceof FileAlreadyExistsException) {
            why = "it already exists";
        } else if (e instanceof FileSystemException fs && fs.getReason() != null) {
            why = fs.getReason();
        } else {
            why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
        IOException out = new IOException("cannot write " + target + ": " + why);
        out.initCause(e);
        return out;
    }
}
