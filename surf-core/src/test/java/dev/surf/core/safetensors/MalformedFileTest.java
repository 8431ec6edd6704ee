package dev.surf.core.safetensors;

import static dev.surf.core.safetensors.RawFile.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.cpu.CpuBackend;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Each way a file can be broken gives a {@link SafetensorsException} naming the file and that defect. */
class MalformedFileTest {
    @TempDir
    Path dir;

    private Path file(String header, int dataBytes) throws IOException {
        return RawFile.write(dir.resolve("bad.safetensors"), header, dataBytes);
    }

    /** Opening fails with a message that names the file and contains every fragment. */
    private static SafetensorsException assertBad(Path file, String... fragments) {
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(file).close());
        assertTrue(e.getMessage().startsWith(file + ": "), "message names the file: " + e.getMessage());
        assertEquals(file, e.file());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message should contain '" + f + "': " + e.getMessage());
        }
        return e;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7})
    void fileShorterThanTheLengthPrefix(int size) throws IOException {
        Path f = Files.write(dir.resolve("short.safetensors"), new byte[size]);
        assertBad(f, "is " + size + " bytes long", "too short");
    }

    @Test
    void headerLengthLargerThanTheFile() throws IOException {
        byte[] b = RawFile.bytes("{}      ", new byte[0]);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 9);
        Path f = Files.write(dir.resolve("long.safetensors"), b);
        assertBad(f, "header length 9 is larger than the file (16 bytes)");
    }

    @Test
    void headerLengthWithTheTopBitSetIsReadAsUnsigned() throws IOException {
        byte[] b = RawFile.bytes("{}      ", new byte[0]);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1L);
        Path f = Files.write(dir.resolve("huge.safetensors"), b);
        assertBad(f, "header length 18446744073709551615 is larger than the file");
    }

    @Test
    void absurdHeaderLengthIsRefusedBeforeAnyAllocation() throws IOException {
        // A sparse file big enough to hold the claimed header, so only the cap can reject it.
        Path f = dir.resolve("absurd.safetensors");
        long n = SafetensorsFile.MAX_HEADER_BYTES + 1;
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(8 + n);
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(n).array());
        }
        assertBad(f, "header length " + n + " is absurd");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"a\":", "{\"a\" 1}", "{'a':{}}", "{\"a\":{\"dtype\":\"F32\",}}", "{\"a\":NaN}"})
    void headerThatIsNotJson(String header) throws IOException {
        assertBad(file(header, 0), "header is not valid JSON");
    }

    @Test
    void headerWithInvalidUtf8() throws IOException {
        byte[] b = RawFile.bytes("{\"ab\":{}}", new byte[0]);
        b[8 + 2] = (byte) 0xC3; // a lead byte followed by an ASCII byte
        assertBad(Files.write(dir.resolve("utf8.safetensors"), b), "header is not valid JSON");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "[]|an array",
        "\"x\"|the string \"x\"",
        "42|the number 42",
        "null|null"})
    void headerThatIsNotAnObject(String header, String seen) throws IOException {
        assertBad(file(header, 0), "header is not a JSON object (it starts with " + seen + ")");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "        "})
    void emptyHeader(String header) throws IOException {
        assertBad(file(header, 0), "header is not a JSON object (it is empty)");
    }

    @Test
    void contentAfterTheHeaderObject() throws IOException {
        assertBad(file("{} {}", 0), "the header has more after its JSON object: an object");
    }

    @Test
    void deeplyNestedJsonIsAnErrorNotAStackOverflow() throws IOException {
        String deep = "{\"a\":{\"x\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}}";
        assertBad(file(deep, 0), "header is not valid JSON");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "dtype|{\"shape\":[1],\"data_offsets\":[0,4]}",
        "shape|{\"dtype\":\"F32\",\"data_offsets\":[0,4]}",
        "data_offsets|{\"dtype\":\"F32\",\"shape\":[1]}"})
    void entryMissingAField(String field, String entry) throws IOException {
        assertBad(file("{\"t\":" + entry + "}", 4), "tensor 't': missing \"" + field + "\"");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "[1]|tensor 't': entry is an array, not an object",
        "{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}|\"dtype\" is the number 4, not a string",
        "{\"dtype\":\"F32\",\"shape\":\"1\",\"data_offsets\":[0,4]}|\"shape\" is the string \"1\", not an array",
        "{\"dtype\":\"F32\",\"shape\":[\"1\"],\"data_offsets\":[0,4]}|\"shape\"[0] is the string \"1\", not an integer",
        "{\"dtype\":\"F32\",\"shape\":[[1]],\"data_offsets\":[0,4]}|\"shape\"[0] is an array, not an integer",
        "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":{\"b\":0}}|\"data_offsets\" is an object",
        "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,true]}|\"data_offsets\"[1] is a boolean",
        "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}|\"data_offsets\" has 1 entries, expected 2",
        "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}|\"data_offsets\" has more than 2 entries",
        "{\"dtype\":null,\"shape\":[1],\"data_offsets\":[0,4]}|\"dtype\" is null, not a string"})
    void entryWithWrongJsonTypes(String entry, String problem) throws IOException {
        assertBad(file("{\"t\":" + entry + "}", 8), "tensor 't'", problem);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "[-1]|\"shape\"[0] is negative (-1)",
        "[2, 2.5]|\"shape\"[1] is 2.5, not an integer",
        "[1e2]|\"shape\"[0] is 1e2, not an integer",
        "[99999999999999999999999]|\"shape\"[0] is 99999999999999999999999, out of range",
        "[2147483648]|dimension 2147483648 in shape [2147483648] exceeds the engine's limit"})
    void badDimensions(String shape, String problem) throws IOException {
        assertBad(file("{\"t\":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":[0,4]}}", 4),
                "tensor 't'", problem);
    }

    @Test
    void rankAboveTheLimit() throws IOException {
        String shape = "[" + "1,".repeat(HeaderParser.MAX_RANK) + "1]";
        assertBad(file("{" + entry("t", "F32", shape, 0, 4) + "}", 4), "\"shape\" has more than 64 entries");
    }

    @Test
    void negativeOffset() throws IOException {
        assertBad(file("{" + entry("t", "F32", "[1]", -4, 0) + "}", 4), "\"data_offsets\"[0] is negative (-4)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"F33", "f32", "FLOAT", "", "F8_E4M3FN"})
    void unknownDtype(String dtype) throws IOException {
        assertBad(file("{" + entry("t", dtype, "[1]", 0, 4) + "}", 4), "tensor 't': unknown dtype '" + dtype + "'");
    }

    @Test
    void offsetsOutOfRangeOfTheDataSection() throws IOException {
        assertBad(file("{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("t", "F32", "[2]", 4, 12) + "}", 8),
                "tensor 't': data_offsets [4, 12] are out of range of the data section (8 bytes)");
    }

    @Test
    void beginAfterEnd() throws IOException {
        assertBad(file("{" + entry("t", "F32", "[0]", 8, 4) + "}", 8), "tensor 't': data_offsets [8, 4] have begin > end");
    }

    @Test
    void byteCountDoesNotMatchTheShape() throws IOException {
        assertBad(file("{" + entry("t", "F32", "[3]", 0, 8) + "}", 12),
                "tensor 't': data_offsets [0, 8] span 8 bytes but F32 [3] needs 12");
        assertBad(file("{" + entry("t", "BF16", "[]", 0, 4) + "}", 4), "span 4 bytes but BF16 [] needs 2");
    }

    @Test
    void elementCountThatOverflowsIsReportedNotWrapped() throws IOException {
        // 2^31-1 cubed wraps a long; a naive product could land on a small, "matching" size.
        String m = "2147483647";
        assertBad(file("{" + entry("t", "F32", "[" + m + "," + m + "," + m + "]", 0, 4) + "}", 4),
                "tensor 't': size of F32", "overflows 64 bits");
        // numel fits, numel * bits does not
        assertBad(file("{" + entry("t", "F64", "[" + m + "," + m + ",4]", 0, 4) + "}", 4), "overflows 64 bits");
    }

    @Test
    void subByteDtypesMustFillWholeBytes() throws IOException {
        assertBad(file("{" + entry("t", "F4", "[3]", 0, 2) + "}", 2), "3 elements of F4 do not fill a whole number of bytes");
    }

    @Test
    void overlappingTensors() throws IOException {
        assertBad(file("{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 4, 12) + "}", 12),
                "tensors 'a' [0, 8] and 'b' [4, 12] have overlapping data_offsets");
        // the same range twice
        assertBad(file("{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("b", "I32", "[1]", 0, 4) + "}", 4),
                "overlapping data_offsets");
        // a small tensor inside a big one, listed after a third that ends before it
        assertBad(file("{" + entry("big", "F32", "[4]", 0, 16) + "," + entry("in", "F32", "[1]", 8, 12) + ","
                + entry("late", "F32", "[1]", 16, 20) + "}", 20), "tensors 'big' [0, 16] and 'in' [8, 12]");
    }

    @Test
    void duplicateNames() throws IOException {
        assertBad(file("{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("a", "F32", "[1]", 4, 8) + "}", 8),
                "duplicate tensor name 'a'");
        assertBad(file("{\"__metadata__\":{},\"__metadata__\":{}}", 0), "duplicate \"__metadata__\"");
        assertBad(file("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", 0), "duplicate key 'k' in \"__metadata__\"");
        assertBad(file("{\"t\":{\"dtype\":\"F32\",\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
                "tensor 't': duplicate \"dtype\"");
    }

    @Test
    void metadataMustMapStringsToStrings() throws IOException {
        assertBad(file("{\"__metadata__\":[]}", 0), "\"__metadata__\" is an array, not an object of strings");
        assertBad(file("{\"__metadata__\":{\"n\":3}}", 0), "\"__metadata__\" value of 'n' is the number 3, not a string");
    }

    @Test
    void missingFileAndDirectory() throws IOException {
        Path none = dir.resolve("none.safetensors");
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(none));
        assertEquals(none + ": no such file", e.getMessage());
        Path sub = Files.createDirectory(dir.resolve("sub.safetensors"));
        assertBad(sub, "is a directory");
        Path device = Path.of("/dev/zero");
        if (Files.exists(device)) {
            assertBad(device, "is not a regular file");
        }
    }

    @Test
    void unsupportedDtypesAreListedButNotLoaded() throws IOException {
        Path f = file("{" + entry("d", "F64", "[2]", 0, 16) + "," + entry("b", "BOOL", "[3]", 16, 19) + ","
                + entry("q", "F8_E4M3", "[2,2]", 19, 23) + "," + entry("x", "F32", "[1]", 24, 28) + "}", 28);
        try (SafetensorsFile sf = SafetensorsFile.open(f)) {
            assertEquals(List.of("d", "b", "q", "x"), sf.names());
            TensorInfo d = sf.info("d");
            assertNull(d.dtype());
            assertEquals("F64", d.dtypeName());
            assertEquals(Shape.of(2), d.shape());
            assertEquals(16, d.byteSize());
            SafetensorsException e = assertThrows(SafetensorsException.class, () -> sf.data("q"));
            assertEquals(f + ": tensor 'q' has dtype F8_E4M3, which the engine does not support "
                    + "(it loads F32, BF16, F16, I32, I64)", e.getMessage());
            assertEquals(DType.F32, sf.info("x").dtype());
            assertEquals(4, sf.data("x").byteSize(), "a gap before a tensor is allowed");
        }
        try (WeightStore s = WeightStore.open(f); CpuBackend cpu = new CpuBackend(1)) {
            SafetensorsException e = assertThrows(SafetensorsException.class, () -> s.load(cpu, "b", DType.F32));
            assertTrue(e.getMessage().contains("tensor 'b' has dtype BOOL"), e.getMessage());
        }
    }

    @Test
    void missingTensorNamesFileAndTensor() throws IOException {
        try (SafetensorsFile sf = SafetensorsFile.open(file("{" + entry("a", "F32", "[1]", 0, 4) + "}", 4))) {
            var e = assertThrows(IllegalArgumentException.class, () -> sf.info("nope"));
            assertEquals(sf.path() + ": no tensor named 'nope'", e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> sf.data("nope"));
        }
    }

    @Test
    void unknownEntryFieldsPaddingAndEmptyHeadersAreAccepted() throws IOException {
        String h = "{\"t\":{\"extra\":{\"deep\":[1,{\"x\":null}]},\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[0,4]}}   \n ";
        try (SafetensorsFile sf = SafetensorsFile.open(file(h, 4))) {
            assertEquals(List.of("t"), sf.names());
        }
        try (SafetensorsFile sf = SafetensorsFile.open(file("{}", 0))) {
            assertEquals(List.of(), sf.names());
        }
        try (SafetensorsFile sf = SafetensorsFile.open(file("{\"__metadata__\":null}", 0))) {
            assertEquals(0, sf.metadata().size());
        }
    }
}
