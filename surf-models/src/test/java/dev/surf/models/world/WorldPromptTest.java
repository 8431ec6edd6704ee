package dev.surf.models.world;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.models.world.WorldVocabulary.Background;
import dev.surf.models.world.WorldVocabulary.Colour;
import dev.surf.models.world.WorldVocabulary.Direction;
import dev.surf.models.world.WorldVocabulary.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The prompt grammar of issue 21: accepted forms, rejected ones and what their one-line errors say. */
class WorldPromptTest {

    @Test
    void vocabularyIsTheIssuesList() {
        assertEquals("red, green, blue, yellow, cyan, magenta, orange, purple", WorldVocabulary.list(Colour.values()));
        assertEquals("circle, square, triangle", WorldVocabulary.list(Shape.values()));
        assertEquals("left, right, up, down", WorldVocabulary.list(Direction.values()));
        assertEquals("black, white, gray", WorldVocabulary.list(Background.values()));
        assertEquals(List.of(245, 130, 20), List.of(Colour.ORANGE.rgb()[0], Colour.ORANGE.rgb()[1], Colour.ORANGE.rgb()[2]));
        assertEquals(128, Background.GRAY.rgb()[1]);
    }

    @Test
    void acceptsTheGrammarWithAnyCaseSpacingAndArticle() {
        WorldPrompt p = WorldPrompt.parse("a red circle moving left");
        assertEquals(new WorldPrompt(Colour.RED, Shape.CIRCLE, Direction.LEFT, null), p);
        assertNull(p.background());
        assertEquals(p, WorldPrompt.parse("  A   RED\tCircle \n moving   LEFT  "));
        assertEquals(p, WorldPrompt.parse("an red circle moving left"));
        assertEquals(new WorldPrompt(Colour.ORANGE, Shape.TRIANGLE, Direction.UP, Background.GRAY),
                WorldPrompt.parse("An Orange triangle moving up on an GRAY background"));
        assertEquals(new WorldPrompt(Colour.ORANGE, Shape.TRIANGLE, Direction.UP, Background.GRAY),
                WorldPrompt.parse("a orange triangle moving up on a gray background"));
    }

    @Test
    void canonicalFormAndWordsRoundTripForEveryPrompt() {
        int n = 0;
        for (Colour c : Colour.values()) {
            for (Shape s : Shape.values()) {
                for (Direction d : Direction.values()) {
                    for (Background b : new Background[] {null, Background.BLACK, Background.WHITE, Background.GRAY}) {
                        WorldPrompt p = new WorldPrompt(c, s, d, b);
                        assertEquals(p, WorldPrompt.parse(p.canonical()));
                        assertEquals(p.canonical(), String.join(" ", p.words()));
                        n++;
                    }
                }
            }
        }
        assertEquals(8 * 3 * 4 * 4, n);
        assertEquals("a red circle moving left on a black background",
                new WorldPrompt(Colour.RED, Shape.CIRCLE, Direction.LEFT, Background.BLACK).canonical());
        assertEquals("an orange square moving down", new WorldPrompt(Colour.ORANGE, Shape.SQUARE, Direction.DOWN, null).canonical());
        assertEquals(List.of("a", "blue", "triangle", "moving", "right"),
                new WorldPrompt(Colour.BLUE, Shape.TRIANGLE, Direction.RIGHT, null).words());
    }

    @Test
    void rejectsWithOneLineNamingTheWordAndListingTheVocabulary() {
        String[][] cases = {
            {"a pink circle moving left", "\"pink\" is not a colour"},
            {"a red blob moving left", "\"blob\" is not a shape"},
            {"a red circle moving sideways", "\"sideways\" is not a direction"},
            {"a red circle moving left on a blue background", "\"blue\" is not a background"},
            {"a red circle moving left on a grey background", "\"grey\" is not a background"},
            {"the red circle moving left", "got \"the\""},
            {"red circle moving left", "got \"red\""},
            {"a red circle going left", "expected \"moving\", got \"going\""},
            {"a red circle moving", "ends where a direction should come"},
            {"a red circle moving left on a black", "ends where the word \"background\" should come"},
            {"a red circle moving left quickly", "expected \"on\", got \"quickly\""},
            {"a red circle moving left on a black background now", "unexpected word \"now\""},
            {"a red circle moving left.", "\"left.\" is not a direction"},
            {"   ", "empty"},
        };
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WorldPrompt.parse(c[0]), c[0]);
            String m = e.getMessage();
            assertTrue(m.contains(c[1]), c[0] + " -> " + m);
            assertFalse(m.contains("\n"), m);
            for (String word : List.of("red, green, blue, yellow, cyan, magenta, orange, purple", "circle, square, triangle",
                    "left, right, up, down", "black, white, gray")) {
                assertTrue(m.contains(word), c[0] + " -> the vocabulary is not listed: " + m);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> WorldPrompt.parse(null));
    }
}
