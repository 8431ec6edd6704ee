package dev.surf.core.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;

/** One scratch file per name and JVM that fuzz targets overwrite with each input (the readers take paths). */
public final class FuzzFiles {
    private static final Map<String, Path> FILES = new ConcurrentHashMap<>();

    private FuzzFiles() {
    }

    /** Writes data to the scratch file of that name and returns its path. */
    public static Path write(String name, byte[] data) {
        Path p = FILES.computeIfAbsent(name, n -> {
            try {
                Path dir = Files.createTempDirectory("surf-fuzz");
                dir.toFile().deleteOnExit();
                Path f = dir.resolve(n);
                f.toFile().deleteOnExit();
                return f;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try {
            Files.write(p, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }
}
