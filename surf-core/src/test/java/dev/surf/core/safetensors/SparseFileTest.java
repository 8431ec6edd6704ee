package dev.surf.core.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.DType;
import dev.surf.core.Shape;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening costs O(header): a 1 GiB tensor is mapped, not read. */
class SparseFileTest {
    private static final long GIB = 1L << 30;
    private static final Path SMAPS = Path.of("/proc/self/smaps");

    @TempDir
    Path dir;

    @Test
    void aOneGibTensorOpensWithoutReadingItsData() throws IOException {
        Path file = dir.resolve("big.safetensors");
        String header = "{" + RawFile.entry("big", "F32", "[" + GIB / 4 + "]", 0, GIB) + "}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
            raf.write(h);
            raf.setLength(8 + h.length + GIB); // a hole: no disk blocks, reads as zeros
        }
        // Warm up class loading and JIT, so the timing below measures the open itself.
        Path small = RawFile.write(dir.resolve("small.safetensors"), "{" + RawFile.entry("x", "F32", "[1]", 0, 4) + "}", 4);
        WeightStore.open(small).close();

        long t0 = System.nanoTime();
        try (WeightStore s = WeightStore.open(file)) {
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 500, "opening took " + ms + " ms");
            TensorInfo t = s.info("big");
            assertEquals(Shape.of((int) (GIB / 4)), t.shape());
            assertEquals(DType.F32, t.dtype());
            MemorySegment data = s.data("big");
            assertEquals(GIB, data.byteSize());

            Assumptions.assumeTrue(Files.isReadable(SMAPS), "residency check needs Linux /proc/self/smaps");
            long before = residentKb(file);
            assertTrue(before < 1024, "after open, " + before + " KiB of the file are mapped in; the data was read");
            // Control: touching the data does show up, so the measurement above means something.
            for (long at = 0; at < 8 << 20; at += 4096) {
                data.get(ValueLayout.JAVA_BYTE, GIB - 1 - at);
            }
            long after = residentKb(file);
            assertTrue(after >= before + 4096, "touching 8 MiB raised resident KiB only from " + before + " to " + after);
        }
    }

    /** Resident KiB of the mapping of {@code file} in this process, from /proc/self/smaps. */
    private static long residentKb(Path file) throws IOException {
        String target = file.toRealPath().toString();
        List<String> lines = Files.readAllLines(SMAPS);
        long kb = 0;
        boolean inside = false;
        for (String line : lines) {
            if (isRangeLine(line)) {
                inside = line.endsWith(" " + target);
            } else if (inside && line.startsWith("Rss:")) {
                kb += Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return kb;
    }

    /** A mapping header line of smaps: "start-end perms offset dev inode [path]". */
    private static boolean isRangeLine(String line) {
        return line.matches("^[0-9a-f]+-[0-9a-f]+ \\S{4} .*");
    }
}
