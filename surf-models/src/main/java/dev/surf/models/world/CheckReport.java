package dev.surf.models.world;

import dev.surf.models.world.WorldVocabulary.Background;
import dev.surf.models.world.WorldVocabulary.Colour;
import dev.surf.models.world.WorldVocabulary.Direction;
import dev.surf.models.world.WorldVocabulary.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@link WorldChecker} found in a video. Colours are sRGB in [0, 1]; positions are pixels.
 *
 * @param width        frame width
 * @param height       frame height
 * @param background   the border's mode colour
 * @param backgroundName the nearest world background (sRGB distance)
 * @param backgroundDistance sRGB distance from the measured to the named background
 * @param colour       the mean colour of the object's interior (null when no frame has an object)
 * @param colourName   the nearest world colour in CIE Lab (null without an object)
 * @param colourDeltaE CIE76 Delta E from the measured to the named colour
 * @param shapeName    the shape by the median fill of its box (null without an object); informative only
 * @param fill         median over frames of soft area / (soft width x soft height)
 * @param direction    sign of the dominant axis of the centroid's least-squares motion (null: none clearly)
 * @param dx           the fitted displacement over the clip, fraction of the width (+ right)
 * @param dy           the fitted displacement over the clip, fraction of the height (+ down)
 * @param areas        object pixels per frame (the opened mask)
 * @param centroidX    per frame (NaN where there is no object)
 * @param centroidY    per frame
 * @param problems     one line per thing that kept the measurement from being clean (frames without an object, ...)
 */
public record CheckReport(int width, int height, double[] background, Background backgroundName, double backgroundDistance,
                          double[] colour, Colour colourName, double colourDeltaE, Shape shapeName, double fill,
                          Direction direction, double dx, double dy, int[] areas, double[] centroidX, double[] centroidY,
                          List<String> problems) {

    /** The judgement against one prompt. */
    public record Verdict(boolean colour, boolean motion, Boolean background, boolean shape, boolean follows, List<String> lines) { }

    /**
     * Whether the video follows the prompt: the colour named, the motion direction found and (when the
     * prompt states one) the background must all match, and every frame must show the object. The
     * shape is reported but not required (the issue asks for colour and motion).
     */
    public Verdict follows(WorldPrompt p) {
        List<String> lines = new ArrayList<>();
        boolean present = problems.isEmpty();
        boolean col = present && colourName == p.colour();
        lines.add(String.format(Locale.ROOT, "colour: %s (mean %s, Delta E %.1f in CIE Lab); the prompt says %s: %s",
                colourName == null ? "none" : colourName.word(), rgb(colour), colourDeltaE, p.colour().word(), yes(col)));
        boolean mot = present && direction == p.direction();
        lines.add(String.format(Locale.ROOT, "motion: %s (centroid moved %+.3f of the width, %+.3f of the height); the prompt says %s: %s",
                direction == null ? "none" : direction.word(), dx, dy, p.direction().word(), yes(mot)));
        Boolean bg = null;
        if (p.background() != null) {
            bg = backgroundName == p.background();
            lines.add(String.format(Locale.ROOT, "background: %s (border mode %s); the prompt says %s: %s", backgroundName.word(),
                    rgb(background), p.background().word(), yes(bg)));
        } else {
            lines.add(String.format(Locale.ROOT, "background: %s (border mode %s); the prompt does not say", backgroundName.word(),
                    rgb(background)));
        }
        boolean sh = present && shapeName == p.shape();
        lines.add(String.format(Locale.ROOT, "shape: %s (fill %.2f of its box); the prompt says %s: %s (informative, not required)",
                shapeName == null ? "none" : shapeName.word(), fill, p.shape().word(), yes(sh)));
        for (String s : problems) {
            lines.add("problem: " + s);
        }
        boolean all = col && mot && (bg == null || bg);
        List<String> failed = new ArrayList<>();
        if (!col) {
            failed.add("colour");
        }
        if (!mot) {
            failed.add("motion");
        }
        if (bg != null && !bg) {
            failed.add("background");
        }
        lines.add(all ? "verdict: follows \"" + p.canonical() + "\""
                : "verdict: does not follow \"" + p.canonical() + "\" (" + String.join(", ", failed) + ")");
        return new Verdict(col, mot, bg, sh, all, List.copyOf(lines));
    }

    private static String yes(boolean b) {
        return b ? "follows" : "does not follow";
    }

    private static String rgb(double[] c) {
        if (c == null) {
            return "-";
        }
        return String.format(Locale.ROOT, "(%d, %d, %d)", Math.round(c[0] * 255), Math.round(c[1] * 255), Math.round(c[2] * 255));
    }
}
