package dev.surf.core.safetensors;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses the JSON header of a safetensors file into raw entries, checking JSON types as it goes.
 *
 * <p>It streams tokens instead of building a tree: memory then stays proportional to what is kept
 * (names, dims, offsets), not to the header's size, and every type error is reported with the tensor
 * it belongs to. Consistency with the data section is {@link HeaderValidator}'s job.
 */
final class HeaderParser {
    /** The most dimensions a tensor may have; far above any real model, low enough to bound memory. */
    static final int MAX_RANK = 64;

    // Duplicate keys are detected here rather than with Jackson's STRICT_DUPLICATE_DETECTION, so the
    // message can say whether a tensor name, a metadata key or an entry field was repeated.
    private static final JsonFactory JSON = JsonFactory.builder().build();

    /** A tensor entry as written in the header, types checked, values not yet cross-checked. */
    record RawEntry(String name, String dtype, long[] dims, long begin, long end) {
    }

    /** The header's tensors in header order, and its metadata (empty if absent). */
    record Header(List<RawEntry> entries, Map<String, String> metadata) {
    }

    private final Path file;
    private final JsonParser p;

    private HeaderParser(Path file, JsonParser p) {
        this.file = file;
        this.p = p;
    }

    /** Parses header bytes (UTF-8 JSON) of {@code file}. */
    static Header parse(Path file, byte[] json) throws SafetensorsException {
        try (JsonParser p = JSON.createParser(json)) {
            return new HeaderParser(file, p).header();
        } catch (SafetensorsException e) {
            throw e;
        } catch (IOException e) {
            // Jackson's own exceptions (syntax, bad UTF-8, limits) all land here.
            String detail = e instanceof JacksonException je ? je.getOriginalMessage() : e.toString();
            throw new SafetensorsException(file, "header is not valid JSON: " + oneLine(detail), e);
        }
    }

    private Header header() throws IOException {
        JsonToken first = p.nextToken();
        if (first == null) {
            throw fail("header is not a JSON object (it is empty)");
        }
        if (first != JsonToken.START_OBJECT) {
            throw fail("header is not a JSON object (it starts with " + describe(first) + ")");
        }
        List<RawEntry> entries = new ArrayList<>();
        Map<String, String> metadata = Map.of();
        boolean sawMetadata = false;
        Set<String> names = new HashSet<>();
        for (JsonToken t = next(); t != JsonToken.END_OBJECT; t = next()) {
            String key = p.currentName();
            JsonToken value = next();
            if (key.equals("__metadata__")) {
                if (sawMetadata) {
                    throw fail("duplicate \"__metadata__\" entry in header");
                }
                sawMetadata = true;
                metadata = metadata(value);
            } else {
                if (!names.add(key)) {
                    throw fail("duplicate tensor name '" + key + "' in header");
                }
                entries.add(entry(key, value));
            }
        }
        JsonToken after = p.nextToken();
        if (after != null) {
            throw fail("the header has more after its JSON object: " + describe(after));
        }
        return new Header(entries, metadata);
    }

    private Map<String, String> metadata(JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return Map.of();
        }
        if (value != JsonToken.START_OBJECT) {
            throw fail("\"__metadata__\" is " + describe(value) + ", not an object of strings");
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (JsonToken t = next(); t != JsonToken.END_OBJECT; t = next()) {
            String key = p.currentName();
            JsonToken v = next();
            if (v != JsonToken.VALUE_STRING) {
                throw fail("\"__metadata__\" value of '" + key + "' is " + describe(v) + ", not a string");
            }
            if (m.put(key, p.getText()) != null) {
                throw fail("duplicate key '" + key + "' in \"__metadata__\"");
            }
        }
        return m;
    }

    private RawEntry entry(String name, JsonToken value) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            throw fail("tensor '" + name + "': entry is " + describe(value) + ", not an object");
        }
        String dtype = null;
        long[] dims = null;
        long[] offsets = null;
        for (JsonToken t = next(); t != JsonToken.END_OBJECT; t = next()) {
            String field = p.currentName();
            JsonToken v = next();
            switch (field) {
                case "dtype" -> {
                    if (dtype != null) {
                        throw fail("tensor '" + name + "': duplicate \"dtype\"");
                    }
                    if (v != JsonToken.VALUE_STRING) {
                        throw fail("tensor '" + name + "': \"dtype\" is " + describe(v) + ", not a string");
                    }
                    dtype = p.getText();
                }
                case "shape" -> {
                    if (dims != null) {
                        throw fail("tensor '" + name + "': duplicate \"shape\"");
                    }
                    dims = integers(name, "shape", v, MAX_RANK);
                }
                case "data_offsets" -> {
                    if (offsets != null) {
                        throw fail("tensor '" + name + "': duplicate \"data_offsets\"");
                    }
                    offsets = integers(name, "data_offsets", v, 2);
                    if (offsets.length != 2) {
                        throw fail("tensor '" + name + "': \"data_offsets\" has " + offsets.length
                                + " entries, expected 2 [begin, end]");
                    }
                }
                // Other writers may add fields of their own; like the reference reader, ignore them.
                default -> p.skipChildren();
            }
        }
        if (dtype == null) {
            throw fail("tensor '" + name + "': missing \"dtype\"");
        }
        if (dims == null) {
            throw fail("tensor '" + name + "': missing \"shape\"");
        }
        if (offsets == null) {
            throw fail("tensor '" + name + "': missing \"data_offsets\"");
        }
        return new RawEntry(name, dtype, dims, offsets[0], offsets[1]);
    }

    /** A JSON array of non-negative integers that fit a long, at most {@code max} of them. */
    private long[] integers(String name, String field, JsonToken v, int max) throws IOException {
        if (v != JsonToken.START_ARRAY) {
            throw fail("tensor '" + name + "': \"" + field + "\" is " + describe(v) + ", not an array of integers");
        }
        long[] out = new long[4];
        int n = 0;
        for (JsonToken t = next(); t != JsonToken.END_ARRAY; t = next()) {
            String where = "tensor '" + name + "': \"" + field + "\"[" + n + "]";
            if (t == JsonToken.VALUE_NUMBER_FLOAT) {
                throw fail(where + " is " + p.getText() + ", not an integer");
            }
            if (t != JsonToken.VALUE_NUMBER_INT) {
                throw fail(where + " is " + describe(t) + ", not an integer");
            }
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw fail(where + " is " + p.getText() + ", out of range");
            }
            long x = p.getLongValue();
            if (x < 0) {
                throw fail(where + " is negative (" + x + ")");
            }
            if (n == max) {
                throw fail("tensor '" + name + "': \"" + field + "\" has more than " + max + " entries");
            }
            if (n == out.length) {
                out = Arrays.copyOf(out, out.length * 2);
            }
            out[n++] = x;
        }
        return Arrays.copyOf(out, n);
    }

    /** The next token; the end of input here means the JSON was cut short. */
    private JsonToken next() throws IOException {
        JsonToken t = p.nextToken();
        if (t == null) {
            throw fail("header is not valid JSON: it ends before its object is closed");
        }
        return t;
    }

    private SafetensorsException fail(String problem) {
        return new SafetensorsException(file, problem);
    }

    private String describe(JsonToken t) throws IOException {
        if (t == null) {
            return "the end of the header";
        }
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "the string \"" + clip(p.getText()) + "\"";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "the number " + clip(p.getText());
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.asString() == null ? t.name() : t.asString();
        };
    }

    private static String clip(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    private static String oneLine(String s) {
        String flat = s == null ? "" : s.replaceAll("\\s+", " ").trim();
        return flat.length() <= 300 ? flat : flat.substring(0, 297) + "...";
    }
}
