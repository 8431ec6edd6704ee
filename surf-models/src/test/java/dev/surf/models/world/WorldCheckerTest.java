package dev.surf.models.world;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.models.world.WorldVocabulary.Background;
import dev.surf.models.world.WorldVocabulary.Colour;
import dev.surf.models.world.WorldVocabulary.Direction;
import dev.surf.models.world.WorldVocabulary.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The checker on rendered clips, where the truth is the clip that was drawn. */
class WorldCheckerTest {

    private static List<float[]> noisy(List<float[]> frames, double sigma, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<float[]> out = new ArrayList<>();
        for (float[] f : frames) {
            float[] g = new float[f.length];
            for (int i = 0; i < f.length; i++) {
                // Gaussian noise, then clamped and rounded to 8 bits as a PNG would hold it
                double v = Math.max(0, Math.min(1, f[i] + sigma * rng.nextGaussian()));
                g[i] = (float) (Math.round(v * 255) / 255.0);
            }
            out.add(g);
        }
        return out;
    }

    @Test
    void namesTheTruthForEveryColourDirectionAndBackgroundAtTwoSizes() {
        List<String> wrong = new ArrayList<>();
        int n = 0;
        int shapesRight = 0;
        for (int size : new int[] {64, 128}) {
            for (Colour c : Colour.values()) {
                for (Direction d : Direction.values()) {
                    for (Background b : Background.values()) {
                        Shape s = Shape.values()[n % 3];
                        WorldPrompt p = new WorldPrompt(c, s, d, b);
                        WorldClip clip = WorldClip.forPrompt(p, 1000 + n, 1);
                        CheckReport r = WorldChecker.check(ClipRenderer.render(clip, size, size), size, size);
                        n++;
                        CheckReport.Verdict v = r.follows(p);
                        if (!v.follows() || r.colourName() != c || r.direction() != d || r.backgroundName() != b
                                || !r.problems().isEmpty()) {
                            wrong.add(size + " " + p + " -> " + String.join(" | ", v.lines()));
                        }
                        shapesRight += r.shapeName() == s ? 1 : 0;
                        double along = d.horizontal() ? r.dx() : r.dy();
                        double moved = along * (d.dx() + d.dy());
                        if (Math.abs(moved - clip.travel()) > 0.02) {
                            wrong.add(size + " " + p + " measured travel " + moved + ", drawn " + clip.travel());
                        }
                    }
                }
            }
        }
        assertTrue(wrong.isEmpty(), wrong.size() + " of " + n + " clips misjudged:\n" + String.join("\n", wrong));
        assertEquals(n, shapesRight, "shapes named right");
    }

    @Test
    void saysDoesNotFollowForAWrongColourDirectionOrBackground() {
        WorldPrompt truth = WorldPrompt.parse("a red square moving left on a gray background");
        WorldClip clip = WorldClip.forPrompt(truth, 4, 1);
        CheckReport r = WorldChecker.check(ClipRenderer.render(clip, 64, 64), 64, 64);
        assertTrue(r.follows(truth).follows());
        assertTrue(r.follows(truth.withBackground(null)).follows());
        CheckReport.Verdict colour = r.follows(WorldPrompt.parse("an orange square moving left"));
        assertFalse(colour.follows());
        assertFalse(colour.colour());
        assertTrue(colour.motion());
        assertTrue(colour.lines().getLast().contains("does not follow") && colour.lines().getLast().contains("(colour)"),
                colour.lines().getLast());
        CheckReport.Verdict motion = r.follows(WorldPrompt.parse("a red square moving right"));
        assertFalse(motion.follows());
        assertFalse(motion.motion());
        assertFalse(r.follows(WorldPrompt.parse("a red square moving up")).follows());
        CheckReport.Verdict bg = r.follows(WorldPrompt.parse("a red square moving left on a white background"));
        assertFalse(bg.follows());
        assertEquals(Boolean.FALSE, bg.background());
        // the shape is reported, not required
        CheckReport.Verdict shape = r.follows(WorldPrompt.parse("a red circle moving left on a gray background"));
        assertTrue(shape.follows());
        assertFalse(shape.shape());
    }

    @Test
    void staysRightWithNoiseOfSigmaFiveHundredths() {
        List<String> wrong = new ArrayList<>();
        int n = 0;
        for (Colour c : Colour.values()) {
            for (Background b : Background.values()) {
                Direction d = Direction.values()[n % 4];
                WorldPrompt p = new WorldPrompt(c, Shape.values()[n % 3], d, b);
                WorldClip clip = WorldClip.forPrompt(p, 77 + n, 1);
                List<float[]> frames = noisy(ClipRenderer.render(clip, 64, 64), 0.05, n);
                CheckReport r = WorldChecker.check(frames, 64, 64);
                if (!r.follows(p).follows()) {
                    wrong.add(p + " -> " + String.join(" | ", r.follows(p).lines()));
                }
                n++;
            }
        }
        assertTrue(wrong.isEmpty(), wrong.size() + " of " + n + " noisy clips misjudged:\n" + String.join("\n", wrong));
    }

    @Test
    void framesWithoutTheObjectAreReportedAndFail() {
        WorldPrompt p = WorldPrompt.parse("a blue circle moving down on a black background");
        WorldClip clip = WorldClip.forPrompt(p, 2, 1);
        List<float[]> frames = new ArrayList<>(ClipRenderer.render(clip, 64, 64));
        frames.set(5, new float[3 * 64 * 64]); // all black: the background alone
        CheckReport r = WorldChecker.check(frames, 64, 64);
        assertEquals(1, r.problems().size(), r.problems().toString());
        assertTrue(r.problems().get(0).startsWith("frame 5: no object"), r.problems().get(0));
        assertEquals(0, r.areas()[5]);
        assertTrue(Double.isNaN(r.centroidX()[5]));
        assertEquals(Direction.DOWN, r.direction()); // still measured on the others
        assertFalse(r.follows(p).follows());
        List<float[]> empty = new ArrayList<>();
        for (int f = 0; f < WorldClip.FRAMES; f++) {
            empty.add(new float[3 * 32 * 32]);
        }
        CheckReport none = WorldChecker.check(empty, 32, 32);
        assertNull(none.colourName());
        assertNull(none.direction());
        assertFalse(none.follows(p).follows());
        assertEquals(Background.BLACK, none.backgroundName());
    }

    @Test
    void aStillObjectHasNoDirection() {
        WorldPrompt p = WorldPrompt.parse("a green triangle moving right on a white background");
        float[] still = ClipRenderer.frame(WorldClip.forPrompt(p, 3, 1), 8, 64, 64);
        List<float[]> frames = new ArrayList<>();
        for (int f = 0; f < WorldClip.FRAMES; f++) {
            frames.add(still);
        }
        CheckReport r = WorldChecker.check(frames, 64, 64);
        assertNull(r.direction());
        assertEquals(Colour.GREEN, r.colourName());
        assertFalse(r.follows(p).follows());
    }
}
