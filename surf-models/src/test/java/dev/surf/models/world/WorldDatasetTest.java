package dev.surf.models.world;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The clip folder: the same bytes for any thread count, and captions.tsv read back as written. */
class WorldDatasetTest {
    @TempDir
    Path dir;

    private static List<Path> files(Path d) throws IOException {
        try (Stream<Path> s = Files.walk(d)) {
            return s.filter(Files::isRegularFile).map(d::relativize).sorted().toList();
        }
    }

    @Test
    void sameFolderOnOneThreadAndOnThree() throws Exception {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        List<WorldDataset.Entry> ea = WorldDataset.write(a, 5, 32, 32, 9, WorldDataset.Format.PNG, null, 1, n -> { });
        int[] calls = {0};
        List<WorldDataset.Entry> eb = WorldDataset.write(b, 5, 32, 32, 9, WorldDataset.Format.PNG, null, 3, n -> calls[0]++);
        assertEquals(ea, eb);
        assertEquals(5, calls[0]);
        List<Path> fa = files(a);
        assertEquals(5 * 17 + 1, fa.size());
        assertEquals(fa, files(b));
        for (Path p : fa) {
            assertArrayEquals(Files.readAllBytes(a.resolve(p)), Files.readAllBytes(b.resolve(p)), p.toString());
        }
        assertEquals(ea, WorldDataset.read(a));
        for (WorldDataset.Entry e : ea) {
            assertEquals(e.clip(1).caption(), e.caption());
            assertEquals(WorldClip.draw(9, e.index(), 1), e.clip(1));
        }
    }

    @Test
    void readRefusesAMalformedCaptionsFileNamingTheLine() throws Exception {
        Path d = Files.createDirectories(dir.resolve("d"));
        IOException missing = assertThrows(IOException.class, () -> WorldDataset.read(d));
        assertTrue(missing.getMessage().contains("captions.tsv"), missing.getMessage());
        Files.writeString(d.resolve("captions.tsv"), "name\tcaption\tseed\tindex\nclip-00000\ta red blob moving left\t1\t0\n");
        IOException bad = assertThrows(IOException.class, () -> WorldDataset.read(d));
        assertTrue(bad.getMessage().contains("line 2") && bad.getMessage().contains("blob"), bad.getMessage());
        Files.writeString(d.resolve("captions.tsv"), "clip-00000\ta red circle moving left\t1\t0\n");
        assertThrows(IOException.class, () -> WorldDataset.read(d));
    }
}
