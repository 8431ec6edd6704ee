package dev.surf.models.world.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.surf.models.world.WorldClip;
import dev.surf.models.world.WorldPrompt;
import dev.surf.models.world.text.WorldTokenizer;
import org.junit.jupiter.api.Test;

/** The world as a clip source: pixels at known places hold the sRGB values in the VAE's [-1, 1]. */
class WorldClipsTest {
    @Test
    void objectCentreAndFarCornerHoldTheColourAndTheBackground() {
        int w = 64;
        int h = 64;
        WorldClips clips = new WorldClips(7, 20, w, h);
        assertEquals(17, clips.frameCount());
        for (int i = 0; i < 20; i++) {
            WorldClip c = clips.clip(i);
            float[] x = clips.frames(i);
            assertEquals(3 * 17 * w * h, x.length);
            for (int f : new int[] {0, 8, 16}) {
                int col = (int) Math.floor(c.centreX(f) * h);
                int row = (int) Math.floor(c.centreY(f) * h);
                int[] rgb = c.colour().rgb();
                // the corner farthest from the object's box centre is background
                int bc = c.centreX(f) * h < w / 2.0 ? w - 1 : 0;
                int br = c.centreY(f) * h < h / 2.0 ? h - 1 : 0;
                int[] back = c.background().rgb();
                for (int ch = 0; ch < 3; ch++) {
                    int plane = (ch * 17 + f) * w * h;
                    assertEquals(2 * rgb[ch] / 255.0 - 1, x[plane + row * w + col], 1e-5, "clip " + i + " frame " + f + " centre");
                    assertEquals(2 * back[ch] / 255.0 - 1, x[plane + br * w + bc], 1e-5, "clip " + i + " frame " + f + " corner");
                }
            }
        }
    }

    @Test
    void captionsAreCanonicalPromptsInTheTokenizersVocabulary() {
        WorldClips clips = new WorldClips(3, 300, 32, 32);
        WorldTokenizer tok = new WorldTokenizer(32);
        for (int i = 0; i < clips.size(); i++) {
            String caption = clips.caption(i);
            assertEquals(WorldPrompt.parse(caption).canonical(), caption);
            tok.encode(caption); // every word known
            assertEquals("world seed 3 clip " + i, clips.id(i));
        }
    }

    @Test
    void theSameIndexGivesTheSameFramesAndOtherSeedsOtherClips() {
        WorldClips a = new WorldClips(1, 3, 32, 32);
        assertArrayEquals(a.frames(2), new WorldClips(1, 3, 32, 32).frames(2));
        assertEquals(a.clip(0), WorldClip.draw(1, 0, 1.0));
    }

    @Test
    void badSizesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new WorldClips(0, 0, 32, 32));
        assertThrows(IllegalArgumentException.class, () -> new WorldClips(0, 1, 8, 32));
        assertThrows(IllegalArgumentException.class, () -> new WorldClips(0, 1, 16, 64));
        assertThrows(IndexOutOfBoundsException.class, () -> new WorldClips(0, 1, 32, 32).clip(1));
    }
}
