package dev.surf.models.world.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.models.t5.TokenizedPrompt;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The world tokenizer against ids written out by hand from the documented table (pad 0, eos 1, words from 2). */
class WorldTokenizerTest {
    private final WorldTokenizer tok = new WorldTokenizer(32);

    @Test
    void vocabularyHoldsEveryWordOfTheGrammarOnce() {
        List<String> grammar = List.of("a", "an", "moving", "on", "background", "red", "green", "blue", "yellow", "cyan",
                "magenta", "orange", "purple", "circle", "square", "triangle", "left", "right", "up", "down", "black",
                "white", "gray");
        assertEquals(new HashSet<>(grammar), new HashSet<>(WorldTokenizer.WORDS));
        assertEquals(23, WorldTokenizer.WORDS.size());
        assertEquals(25, WorldTokenizer.vocabSize());
    }

    @Test
    void promptGivesWordIdsThenEosThenPadding() {
        // a=2 red=7 circle=15 moving=4 left=18, eos=1
        TokenizedPrompt t = tok.encode("a red circle moving left");
        int[] want = new int[32];
        System.arraycopy(new int[] {2, 7, 15, 4, 18, 1}, 0, want, 0, 6);
        assertArrayEquals(want, t.ids());
        assertEquals(6, t.length());
        assertFalse(t.truncated());
        int[] mask = new int[32];
        java.util.Arrays.fill(mask, 0, 6, 1);
        assertArrayEquals(mask, t.mask());
        // an=3 orange=13 triangle=17 moving=4 down=21 on=5 a=2 gray=24 background=6
        assertArrayEquals(new int[] {3, 13, 17, 4, 21, 5, 2, 24, 6, 1},
                tok.encode("an orange triangle moving down on a gray background").realIds());
    }

    @Test
    void caseAndWhitespaceDoNotMatter() {
        TokenizedPrompt a = tok.encode("a blue square moving up on a white background");
        TokenizedPrompt b = tok.encode("  A\tBlue   SQUARE\nmoving UP on a White   background ");
        assertArrayEquals(a.ids(), b.ids());
        assertEquals(a.cleaned(), b.cleaned());
    }

    @Test
    void emptyPromptIsJustEos() {
        for (String p : new String[] {"", "   ", null}) {
            TokenizedPrompt t = tok.encode(p);
            assertEquals(1, t.length());
            assertArrayEquals(new int[] {1}, t.realIds());
            assertEquals(0, t.ids()[1]);
        }
    }

    @Test
    void unknownWordIsOneLineListingTheVocabulary() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tok.encode("a red dog moving left"));
        assertTrue(e.getMessage().contains("'dog'"), e.getMessage());
        assertTrue(e.getMessage().contains("a, an, moving, on, background, red,") && e.getMessage().endsWith("white, gray"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertThrows(IllegalArgumentException.class, () -> tok.encode("grey"));
    }

    @Test
    void longPromptIsTruncatedKeepingEos() {
        WorldTokenizer small = new WorldTokenizer(4);
        TokenizedPrompt t = small.encode("a red circle moving left");
        assertArrayEquals(new int[] {2, 7, 15, 1}, t.ids());
        assertTrue(t.truncated());
        assertEquals(4, t.length());
    }

    @Test
    void tokensRoundTrip() {
        assertEquals("<pad>", WorldTokenizer.token(0));
        assertEquals("</s>", WorldTokenizer.token(1));
        for (String w : WorldTokenizer.WORDS) {
            assertEquals(w, WorldTokenizer.token(WorldTokenizer.id(w)));
        }
        assertThrows(IllegalArgumentException.class, () -> WorldTokenizer.token(25));
    }
}
