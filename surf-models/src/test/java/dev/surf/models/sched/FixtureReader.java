package dev.surf.models.sched;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Test-only reader for the small F32 safetensors conformance fixtures: the 8-byte little-endian
 * header length, the JSON header, then raw little-endian tensor bytes. Only what these tests need;
 * the engine's own reader is {@code dev.surf.core.safetensors.SafetensorsFile}.
 */
final class FixtureReader {
    private final JsonNode header;
    private final ByteBuffer data;

    private FixtureReader(byte[] bytes) throws IOException {
        ByteBuffer all = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int n = Math.toIntExact(all.getLong(0));
        header = new ObjectMapper().readTree(new String(bytes, 8, n, StandardCharsets.UTF_8));
        data = all.slice(8 + n, bytes.length - 8 - n).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Reads a fixture from the test classpath, e.g. "/conformance/flow-schedulers.safetensors". */
    static FixtureReader resource(String name) throws IOException, URISyntaxException {
        var url = FixtureReader.class.getResource(name);
        if (url == null) {
            throw new IOException("test resource " + name + " not found");
        }
        return new FixtureReader(Files.readAllBytes(Path.of(url.toURI())));
    }

    /** A string entry of the {@code __metadata__} object. */
    String metadata(String key) {
        return header.path("__metadata__").path(key).asText();
    }

    /** The shape of a tensor. */
    int[] shape(String name) {
        JsonNode s = entry(name).get("shape");
        int[] out = new int[s.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = s.get(i).asInt();
        }
        return out;
    }

    /** The elements of an F32 tensor, row-major. */
    float[] floats(String name) {
        JsonNode e = entry(name);
        if (!"F32".equals(e.get("dtype").asText())) {
            throw new IllegalArgumentException(name + " is " + e.get("dtype").asText() + ", not F32");
        }
        int begin = e.get("data_offsets").get(0).asInt();
        int end = e.get("data_offsets").get(1).asInt();
        float[] out = new float[(end - begin) / 4];
        for (int i = 0; i < out.length; i++) {
            out[i] = data.getFloat(begin + 4 * i);
        }
        return out;
    }

    private JsonNode entry(String name) {
        JsonNode e = header.get(name);
        if (e == null) {
            throw new IllegalArgumentException("no tensor " + name + " in the fixture");
        }
        return e;
    }
}
