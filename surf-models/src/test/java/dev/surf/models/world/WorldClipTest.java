package dev.surf.models.world;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.models.world.WorldVocabulary.Background;
import dev.surf.models.world.WorldVocabulary.Colour;
import dev.surf.models.world.WorldVocabulary.Direction;
import dev.surf.models.world.WorldVocabulary.Shape;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The clip draw: deterministic, inside the ranges, the whole object in the frame for all 17 frames. */
class WorldClipTest {

    @Test
    void sameSeedAndIndexGiveTheSameClipOthersDiffer() {
        assertEquals(WorldClip.draw(7, 3, 1), WorldClip.draw(7, 3, 1));
        Set<WorldClip> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            seen.add(WorldClip.draw(7, i, 1));
            seen.add(WorldClip.draw(8, i, 1));
        }
        assertEquals(400, seen.size());
        assertNotEquals(WorldClip.draw(7, 3, 1).size(), WorldClip.draw(3, 7, 1).size());
    }

    @Test
    void objectStaysInsideTheFrameAndRangesHoldForManySeeds() {
        EnumSet<Colour> colours = EnumSet.noneOf(Colour.class);
        EnumSet<Shape> shapes = EnumSet.noneOf(Shape.class);
        EnumSet<Direction> dirs = EnumSet.noneOf(Direction.class);
        EnumSet<Background> bgs = EnumSet.noneOf(Background.class);
        int stated = 0;
        int n = 0;
        double minTravel = 1;
        double maxTravel = 0;
        for (double aspect : new double[] {1, 16 / 9.0, 0.6, WorldClip.MIN_ASPECT, 4}) {
            for (long seed = 0; seed < 40; seed++) {
                for (long index = 0; index < 50; index++) {
                    WorldClip c = WorldClip.draw(seed * 1_000_003L - 17, index, aspect);
                    n++;
                    assertTrue(c.size() >= 0.16 && c.size() <= 0.40, c.toString());
                    assertTrue(c.travel() >= 0.30 - 1e-12 && c.travel() <= 0.60, c.toString());
                    minTravel = Math.min(minTravel, c.travel());
                    maxTravel = Math.max(maxTravel, c.travel());
                    for (int f = 0; f < WorldClip.FRAMES; f++) {
                        double h = c.size() / 2;
                        double x = c.centreX(f);
                        double y = c.centreY(f);
                        assertTrue(x - h >= -1e-12 && x + h <= aspect + 1e-12 && y - h >= -1e-12 && y + h <= 1 + 1e-12,
                                "frame " + f + " of " + c);
                    }
                    // constant speed along the axis, nothing across it
                    double along = c.direction().horizontal() ? aspect : 1;
                    double dx = c.centreX(WorldClip.FRAMES - 1) - c.centreX(0);
                    double dy = c.centreY(WorldClip.FRAMES - 1) - c.centreY(0);
                    assertEquals(c.direction().dx() * c.travel() * along, dx, 1e-12);
                    assertEquals(c.direction().dy() * c.travel() * along, dy, 1e-12);
                    colours.add(c.colour());
                    shapes.add(c.shape());
                    dirs.add(c.direction());
                    bgs.add(c.background());
                    stated += c.statesBackground() ? 1 : 0;
                }
            }
        }
        assertEquals(EnumSet.allOf(Colour.class), colours);
        assertEquals(EnumSet.allOf(Shape.class), shapes);
        assertEquals(EnumSet.allOf(Direction.class), dirs);
        assertEquals(EnumSet.allOf(Background.class), bgs);
        assertTrue(Math.abs(stated / (double) n - 0.5) < 0.03, "stated background in " + stated + " of " + n);
        assertTrue(minTravel < 0.31 && maxTravel > 0.59, "travel spans " + minTravel + " .. " + maxTravel);
    }

    @Test
    void captionStatesTheBackgroundOnlySometimes() {
        for (int i = 0; i < 50; i++) {
            WorldClip c = WorldClip.draw(1, i, 1);
            WorldPrompt p = WorldPrompt.parse(c.caption());
            assertEquals(c.colour(), p.colour());
            assertEquals(c.shape(), p.shape());
            assertEquals(c.direction(), p.direction());
            assertEquals(c.statesBackground() ? c.background() : null, p.background());
        }
    }

    @Test
    void forPromptKeepsTheStatedPartsAndDrawsTheRest() {
        WorldPrompt open = WorldPrompt.parse("a cyan triangle moving up");
        WorldClip c = WorldClip.forPrompt(open, 5, 1);
        assertEquals(Colour.CYAN, c.colour());
        assertEquals(Shape.TRIANGLE, c.shape());
        assertEquals(Direction.UP, c.direction());
        assertNull(c.prompt().background());
        assertEquals(open, c.prompt());
        WorldClip geometryOf = WorldClip.draw(5, 0, 1);
        assertEquals(geometryOf.size(), c.size());
        assertEquals(geometryOf.background(), c.background());
        WorldClip stated = WorldClip.forPrompt(WorldPrompt.parse("a cyan triangle moving up on a white background"), 5, 1);
        assertEquals(Background.WHITE, stated.background());
        assertTrue(stated.statesBackground());
        Set<Background> drawn = EnumSet.noneOf(Background.class);
        for (int s = 0; s < 30; s++) {
            drawn.add(WorldClip.forPrompt(open, s, 1).background());
        }
        assertEquals(3, drawn.size());
    }

    @Test
    void refusesFramesTooNarrowForTheObjectToTravel() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WorldClip.draw(1, 1, 0.5));
        assertTrue(e.getMessage().contains("width/height"), e.getMessage());
    }
}
