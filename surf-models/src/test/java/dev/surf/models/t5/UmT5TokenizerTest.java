package dev.surf.models.t5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tokenizer on a hand-checkable unigram model ({@link TinyTokenizer}): Viterbi segmentation,
 * EOS, padding and mask, round trip, truncation with a warning, the empty prompt, errors.
 */
class UmT5TokenizerTest {
    @TempDir
    static Path dir;
    private static UmT5Tokenizer tok;
    private static UmT5Tokenizer tok8;

    @BeforeAll
    static void open() throws IOException {
        TinyTokenizer.write(dir.resolve("umt5"));
        tok = UmT5Tokenizer.open(dir.resolve("umt5"));
        tok8 = UmT5Tokenizer.open(dir.resolve("umt5/tokenizer.json"), 8);
    }

    @AfterAll
    static void close() {
        tok.close();
        tok8.close();
    }

    @Test
    void segmentsByMaximumScoreAppendsEosAndPadsTo512() {
        List<String> warnings = new ArrayList<>();
        TokenizedPrompt p = tok.encode("a corgi surfing a wave", warnings::add);
        // "corgi": one piece (-4) beats cor+gi (-6); "surfing": surf+ing (-6.5) beats the whole word (-9)
        int[] expected = {4, 5, 8, 9, 4, 11, 1};
        assertEquals(512, p.ids().length);
        assertEquals(expected.length, p.length());
        assertArrayEquals(expected, p.realIds());
        assertTrue(Arrays.stream(p.ids(), expected.length, 512).allMatch(i -> i == 0), "padding id 0");
        int[] mask = p.mask();
        assertEquals(expected.length, Arrays.stream(mask).sum());
        assertEquals(1, mask[expected.length - 1]);
        assertEquals(0, mask[expected.length]);
        assertFalse(p.truncated());
        assertTrue(warnings.isEmpty());
        assertEquals("a corgi surfing a wave", tok.decode(p.ids()), "round trip, pad and EOS skipped");
    }

    @Test
    void theOfficialCleaningRunsBeforeTokenizing() {
        TokenizedPrompt p = tok.encode("  \u201ca\u201d\t corgi\n", null);
        assertEquals("\"a\" corgi", p.cleaned());
        assertArrayEquals(new int[] {3, 26, 13, 26, 5, 1}, p.realIds());
        assertEquals("\"a\" corgi", tok.decode(p.realIds()));
    }

    @Test
    void theEmptyPromptIsEosAlone() {
        for (String empty : new String[] {"", "   ", "\n\t"}) {
            TokenizedPrompt p = tok.encode(empty, null);
            assertEquals(1, p.length(), "n_real = 1 as the official code");
            assertEquals(1, p.ids()[0]);
            assertEquals(0, p.ids()[1]);
        }
    }

    @Test
    void longPromptsAreCutKeepingEosAndWarned() {
        List<String> warnings = new ArrayList<>();
        TokenizedPrompt fits = tok8.encode("a a a a a a a", warnings::add);
        assertEquals(8, fits.length());
        assertFalse(fits.truncated(), "7 tokens + EOS fill the 8 exactly");
        assertTrue(warnings.isEmpty());
        TokenizedPrompt cut = tok8.encode("a a a a a a a a a a", warnings::add);
        assertArrayEquals(new int[] {4, 4, 4, 4, 4, 4, 4, 1}, cut.ids());
        assertTrue(cut.truncated());
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("truncated to 8 tokens"), warnings.get(0));
    }

    @Test
    void missingOrBrokenTokenizersAreNamed() throws IOException {
        IOException none = assertThrows(IOException.class, () -> UmT5Tokenizer.open(dir.resolve("absent")));
        assertTrue(none.getMessage().contains("absent"), none.getMessage());
        Path sp = Files.createDirectories(dir.resolve("sp-only"));
        Files.write(sp.resolve("spiece.model"), new byte[] {1, 2, 3});
        IOException spOnly = assertThrows(IOException.class, () -> UmT5Tokenizer.open(sp));
        assertTrue(spOnly.getMessage().contains("spiece.model only"), spOnly.getMessage());
        Path bad = Files.createDirectories(dir.resolve("bad"));
        Files.writeString(bad.resolve("tokenizer.json"), "{\"model\": 3}");
        IOException broken = assertThrows(IOException.class, () -> UmT5Tokenizer.open(bad));
        assertTrue(broken.getMessage().contains("tokenizer.json"), broken.getMessage());
    }
}
