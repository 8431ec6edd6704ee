package dev.surf.core.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The conformance fixtures of the official Wan 2.1 implementation (copied from shared/conformance
 * into surf-core's test resources, folder conformance/). Other modules get them through surf-core's
 * test jar; a file inside a jar is extracted once to a temporary file so it can be memory-mapped.
 */
public final class Fixtures {
    private static final Map<String, Path> CACHE = new ConcurrentHashMap<>();

    private Fixtures() {
    }

    /** A file path for conformance/NAME. */
    public static Path path(String name) {
        return CACHE.computeIfAbsent(name, Fixtures::resolve);
    }

    private static Path resolve(String name) {
        String res = "/conformance/" + name;
        URL url = Fixtures.class.getResource(res);
        if (url == null) {
            throw new IllegalStateException("conformance fixture " + name + " not found on the test classpath");
        }
        try {
            if ("file".equals(url.getProtocol())) {
                return Path.of(url.toURI());
            }
            Path dir = Files.createTempDirectory("surf-fixtures");
            dir.toFile().deleteOnExit();
            Path out = dir.resolve(name);
            try (InputStream in = url.openStream()) {
                Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
            }
            out.toFile().deleteOnExit();
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
