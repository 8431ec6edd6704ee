package dev.surf.models.refiner.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Progressive frame stages: parsing, the stage of each step, and bad specs named by their flag. */
class FrameStagesTest {
    @Test
    void eachStepGetsItsStageAndTheLastRunsToTheEnd() {
        FrameStages s = FrameStages.parse("21:3, 41:2,81");
        assertEquals(21, s.framesAt(0));
        assertEquals(21, s.framesAt(2));
        assertEquals(41, s.framesAt(3));
        assertEquals(41, s.framesAt(4));
        assertEquals(81, s.framesAt(5));
        assertEquals(81, s.framesAt(1_000_000));
        assertEquals(81, s.maxFrames());
        assertEquals("21:3,41:2,81", s.toString());
        assertEquals(9, FrameStages.parse("9").framesAt(7));
        assertEquals(5, FrameStages.parse("5:2,9:4").framesAt(1));
    }

    @Test
    void badSpecsAreRefusedNamingTheFlag() {
        for (String bad : new String[] {"6", "5:2,10", "5,9", "5:0,9", "a:b", "", "5:2:3"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FrameStages.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("--frames"), e.getMessage());
        }
    }
}
