package dev.surf.core.safetensors;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Hand-built safetensors bytes, so that tests can write what no correct writer would. */
final class RawFile {
    private RawFile() {
    }

    /** 8-byte little-endian header length, the header JSON as is, then {@code data}. */
    static byte[] bytes(String headerJson, byte[] data) {
        byte[] h = headerJson.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(h.length).put(h).put(data).array();
    }

    /** Writes {@link #bytes} to {@code file} and returns it. */
    static Path write(Path file, String headerJson, byte[] data) throws IOException {
        Files.write(file, bytes(headerJson, data));
        return file;
    }

    /** Writes a file of {@code dataBytes} zero data bytes under the given header. */
    static Path write(Path file, String headerJson, int dataBytes) throws IOException {
        return write(file, headerJson, new byte[dataBytes]);
    }

    /** A JSON header entry. */
    static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + ","
                + end + "]}";
    }

    /** A conformance fixture copied into the test resources. */
    static Path fixture(String fileName) {
        try {
            return Path.of(RawFile.class.getResource("/conformance/" + fileName).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
