package dev.surf.core.safetensors;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The index of a sharded checkpoint ({@code *.safetensors.index.json}, as written by Hugging Face):
 * {@code {"metadata": {...}, "weight_map": {"tensor name": "shard file name", ...}}}.
 *
 * @param file      the index file
 * @param weightMap tensor name to shard path (resolved, inside the index's folder), in index order
 * @param metadata  the index's metadata with every value as text (e.g. {@code total_size})
 */
record ShardIndex(Path file, Map<String, Path> weightMap, Map<String, String> metadata) {
    /** Indexes of the largest public checkpoints are a few MiB; refuse to parse anything absurd. */
    static final long MAX_INDEX_BYTES = 64L << 20;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** Reads and checks an index file; shard files are not opened here. */
    static ShardIndex read(Path file) throws SafetensorsException {
        JsonNode root;
        try {
            long size = Files.size(file);
            if (size > MAX_INDEX_BYTES) {
                throw new SafetensorsException(file, "index is " + size + " bytes, above the limit of "
                        + MAX_INDEX_BYTES);
            }
            root = JSON.readTree(Files.readAllBytes(file));
        } catch (SafetensorsException e) {
            throw e;
        } catch (NoSuchFileException e) {
            throw new SafetensorsException(file, "no such file", e);
        } catch (JacksonException e) {
            throw new SafetensorsException(file, "index is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new SafetensorsException(file, "cannot be read: " + e, e);
        }
        if (root == null || !root.isObject()) {
            throw new SafetensorsException(file, "index is not a JSON object");
        }
        JsonNode map = root.get("weight_map");
        if (map == null || !map.isObject()) {
            throw new SafetensorsException(file, "index has no \"weight_map\" object");
        }
        Path folder = file.toAbsolutePath().getParent();
        Map<String, Path> weightMap = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : map.properties()) {
            if (!e.getValue().isTextual()) {
                throw new SafetensorsException(file, "weight_map entry of tensor '" + e.getKey()
                        + "' is not a file name");
            }
            weightMap.put(e.getKey(), shard(file, folder, e.getKey(), e.getValue().asText()));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        JsonNode meta = root.get("metadata");
        if (meta != null && meta.isObject()) {
            for (Map.Entry<String, JsonNode> e : meta.properties()) {
                metadata.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString());
            }
        } else if (meta != null && !meta.isNull()) {
            throw new SafetensorsException(file, "index \"metadata\" is not an object");
        }
        return new ShardIndex(file, weightMap, metadata);
    }

    /** Resolves a shard name; it must stay inside the index's folder, as Hugging Face writes it. */
    private static Path shard(Path file, Path folder, String tensor, String name) throws SafetensorsException {
        Path p;
        try {
            p = folder.resolve(name).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw new SafetensorsException(file, "weight_map entry of tensor '" + tensor + "' names an invalid path '"
                    + name + "'");
        }
        if (name.isEmpty() || !p.startsWith(folder) || p.equals(folder)) {
            throw new SafetensorsException(file, "weight_map entry of tensor '" + tensor + "' names '" + name
                    + "', which is not a file in the index's folder");
        }
        return p;
    }
}
