package dev.surf.core.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.surf.core.DType;
import dev.surf.core.Shape;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of seeded random corruptions of valid files. Each must either open with every tensor's
 * bytes exactly where the header says inside the file, or fail with a {@link SafetensorsException}
 * naming the file. Any other throwable (index out of bounds, arithmetic, OOM, ...) fails the test.
 */
class FuzzTest {
    private static final int ROUNDS = 4000;
    private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?");
    private static final Pattern STRING = Pattern.compile("\"[^\"]*\"");
    private static final String[] NUMBERS = {"0", "1", "-1", "3", "7", "8", "2147483647", "2147483648",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "18446744073709551616", "1.5", "1e3",
        "1e999", "4294967296", "65536"};
    private static final String[] STRINGS = {"\"F32\"", "\"BF16\"", "\"F16\"", "\"I64\"", "\"F64\"", "\"F4\"",
        "\"BOOL\"", "\"XX\"", "\"\"", "\"__metadata__\"", "\"dtype\"", "\"shape\"", "\"data_offsets\"", "\"a\"", "1",
        "[]", "{}", "null", "[0,4]"};
    /** Mutation kinds, weighted towards the JSON edits that reach the deeper checks. */
    private static final int[] KINDS = {0, 1, 2, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6, 7};
    private static final String JUNK = "{}[],:\" 0-9.e\\\u00ff";

    @TempDir
    Path dir;

    @Test
    void randomCorruptionsNeverEscapeAsAnythingButSafetensorsException() throws IOException {
        List<byte[]> seeds = seeds();
        Path file = dir.resolve("fuzz.safetensors");
        SplittableRandom rnd = new SplittableRandom(20250225);
        int accepted = 0;
        int rejected = 0;
        for (int round = 0; round < ROUNDS; round++) {
            byte[] base = seeds.get(rnd.nextInt(seeds.size()));
            StringBuilder how = new StringBuilder();
            byte[] b = base;
            int edits = rnd.nextInt(4) == 0 ? 2 + rnd.nextInt(2) : 1; // mostly one, sometimes stacked
            for (int i = 0; i < edits; i++) {
                b = mutate(b, rnd, how);
            }
            Files.write(file, b);
            try {
                check(file, b);
                accepted++;
            } catch (SafetensorsException e) {
                assertTrue(e.getMessage().startsWith(file + ": "), "round " + round + how + ": " + e.getMessage());
                rejected++;
            } catch (Throwable t) {
                fail("round " + round + " (" + how + ") escaped as " + t, t);
            }
        }
        // Guard against a fuzzer that only ever produces garbage (or never does).
        assertTrue(rejected > ROUNDS / 4, "rejected " + rejected);
        assertTrue(accepted > ROUNDS / 50, "accepted " + accepted);
    }

    /** Opens, then checks every tensor against the file's bytes at the offsets the header claims. */
    private static void check(Path file, byte[] b) throws SafetensorsException {
        try (WeightStore store = WeightStore.open(file)) {
            long n = headerLength(b); // it opened, so the prefix exists and frames the header
            Inspect.describe(store);
            for (String name : store.names()) {
                TensorInfo t = store.info(name);
                assertTrue(t.begin() >= 0 && t.begin() <= t.end() && 8 + n + t.end() <= b.length, t.toString());
                if (t.dtype() == null) {
                    try {
                        store.data(name);
                        fail("unsupported dtype handed out: " + t);
                    } catch (SafetensorsException expected) {
                        continue;
                    }
                }
                assertEquals(t.shape().numel() * t.dtype().byteSize(), t.byteSize(), t.toString());
                MemorySegment data = store.data(name);
                assertEquals(t.byteSize(), data.byteSize());
                byte[] want = Arrays.copyOfRange(b, (int) (8 + n + t.begin()), (int) (8 + n + t.end()));
                assertArrayEquals(want, data.toArray(ValueLayout.JAVA_BYTE), t.toString());
            }
        }
    }

    private static byte[] mutate(byte[] b, SplittableRandom rnd, StringBuilder how) {
        int kind = KINDS[rnd.nextInt(KINDS.length)];
        how.append(" m").append(kind);
        switch (kind) {
            case 0 -> { // flip bits in the header (or anywhere if the length is already broken)
                byte[] c = b.clone();
                if (c.length > 8) {
                    int hl = (int) Math.min(c.length - 8, Math.max(1, headerLength(c)));
                    c[8 + rnd.nextInt(hl)] ^= (byte) (1 << rnd.nextInt(8));
                }
                return c;
            }
            case 1 -> { // flip bits in the length prefix
                byte[] c = b.clone();
                if (c.length >= 8) {
                    c[rnd.nextInt(8)] ^= (byte) (1 << rnd.nextInt(8));
                }
                return c;
            }
            case 2 -> { // truncate, mostly inside the data section where only the offsets can notice
                String h = header(b);
                int from = h == null || rnd.nextInt(3) == 0 ? 0 : 8 + h.length();
                return Arrays.copyOf(b, from + rnd.nextInt(b.length - from + 1));
            }
            case 3 -> { // set the header length to something near or far
                byte[] c = b.length < 8 ? Arrays.copyOf(b, 8) : b.clone();
                long n = headerLength(c);
                long v = switch (rnd.nextInt(4)) {
                    case 0 -> n + rnd.nextInt(-16, 17);
                    case 1 -> rnd.nextLong();
                    case 2 -> rnd.nextInt(Integer.MAX_VALUE);
                    default -> c.length - 8 + rnd.nextInt(-2, 3);
                };
                ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putLong(0, v);
                return c;
            }
            case 4 -> { // replace a number of the JSON header
                return editHeader(b, rnd, NUMBER, NUMBERS, rnd.nextInt(4) == 0);
            }
            case 5 -> { // replace a string of the JSON header
                return editHeader(b, rnd, STRING, STRINGS, rnd.nextInt(4) == 0);
            }
            case 6 -> { // cut, duplicate or insert characters of the JSON header
                String h = header(b);
                if (h == null || h.isEmpty()) {
                    return b;
                }
                int at = rnd.nextInt(h.length());
                int len = 1 + rnd.nextInt(Math.min(12, h.length() - at));
                String e = switch (rnd.nextInt(3)) {
                    case 0 -> h.substring(0, at) + h.substring(at + len);
                    case 1 -> h.substring(0, at) + h.substring(at, at + len) + h.substring(at);
                    default -> h.substring(0, at) + JUNK.charAt(rnd.nextInt(JUNK.length())) + h.substring(at);
                };
                return withHeader(b, e, rnd.nextInt(4) == 0);
            }
            default -> { // grow or shrink the data section
                return Arrays.copyOf(b, Math.max(0, b.length + rnd.nextInt(-8, 9)));
            }
        }
    }

    private static long headerLength(byte[] b) {
        return b.length < 8 ? 0 : ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    }

    /** The header text, or null if the length prefix no longer frames one. */
    private static String header(byte[] b) {
        long n = headerLength(b);
        if (b.length < 8 || n < 0 || n > b.length - 8) {
            return null;
        }
        return new String(b, 8, (int) n, StandardCharsets.ISO_8859_1);
    }

    private static byte[] editHeader(byte[] b, SplittableRandom rnd, Pattern token, String[] choices, boolean keepLength) {
        String h = header(b);
        if (h == null) {
            return b;
        }
        List<int[]> spans = new ArrayList<>();
        Matcher m = token.matcher(h);
        while (m.find()) {
            spans.add(new int[] {m.start(), m.end()});
        }
        if (spans.isEmpty()) {
            return b;
        }
        int[] s = spans.get(rnd.nextInt(spans.size()));
        String e = h.substring(0, s[0]) + choices[rnd.nextInt(choices.length)] + h.substring(s[1]);
        return withHeader(b, e, keepLength);
    }

    /** Replaces the header text, fixing the length prefix unless told to keep the old (now wrong) one. */
    private static byte[] withHeader(byte[] b, String header, boolean keepLength) {
        long n = headerLength(b);
        byte[] h = header.getBytes(StandardCharsets.ISO_8859_1);
        byte[] data = Arrays.copyOfRange(b, (int) (8 + n), b.length);
        return ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(keepLength ? n : h.length).put(h).put(data).array();
    }

    private static List<byte[]> seeds() throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        Path tmp = Files.createTempFile("seed", ".safetensors");
        try {
            Map<String, float[]> a = new LinkedHashMap<>();
            a.put("blocks.0.self_attn.q.weight", new float[] {1, 2, 3, 4, 5, 6});
            a.put("s", new float[] {7});
            a.put("e", new float[0]);
            a.put("v", new float[] {8, 9, 10});
            SafetensorsWriter.writeFloats(tmp, a, Map.of("blocks.0.self_attn.q.weight", Shape.of(2, 3),
                    "s", Shape.of(), "e", Shape.of(0, 5)), Map.of("format", "pt", "note", "fuzz"));
            seeds.add(Files.readAllBytes(tmp));
        } finally {
            Files.delete(tmp);
        }
        seeds.add(RawFile.bytes("{" + RawFile.entry("h", "BF16", "[3]", 0, 6) + ","
                + RawFile.entry("i", "I64", "[1,1]", 6, 14) + "," + RawFile.entry("d", "F64", "[1]", 14, 22) + ","
                + RawFile.entry("q", "F4", "[4]", 22, 24) + "," + RawFile.entry("x", "I32", "[]", 24, 28) + "}",
                new byte[28]));
        seeds.add(RawFile.bytes("{\"__metadata__\":{\"k\":\"v\"},"
                + RawFile.entry("w", DType.F16.safetensorsName(), "[2,2]", 0, 8) + "}    ", new byte[8]));
        return seeds;
    }
}
