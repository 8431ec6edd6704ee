package dev.surf.models.video;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Temporary files and folders are created owner-only; outputs are ordinary files, readable by all. */
final class Permissions {
    private Permissions() {
    }

    static void readableByAll(Path p, boolean folder) throws IOException {
        if (p.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(folder ? "rwxr-xr-x" : "rw-r--r--"));
        }
    }
}
