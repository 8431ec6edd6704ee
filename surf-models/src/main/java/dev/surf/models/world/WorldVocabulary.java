package dev.surf.models.world;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The words of the small world (issue 21), exactly as the issue lists them, so that a prompt means the
 * same thing to the generator, the text encoder and the checker. Every constant's {@link Word#word()}
 * is its lower-case English word; colours carry their sRGB values (0..255, not linear light).
 */
public final class WorldVocabulary {
    private WorldVocabulary() {
    }

    /** A word of the prompt grammar. */
    public interface Word {
        /** The word as it appears in prompts (lower case). */
        String word();
    }

    /** The object's colour: sRGB 0..255 as the issue gives it. */
    public enum Colour implements Word {
        RED(220, 30, 30), GREEN(30, 180, 60), BLUE(40, 70, 220), YELLOW(235, 210, 30), CYAN(30, 200, 210),
        MAGENTA(210, 40, 190), ORANGE(245, 130, 20), PURPLE(120, 50, 190);

        private final int r;
        private final int g;
        private final int b;

        Colour(int r, int g, int b) {
            this.r = r;
            this.g = g;
            this.b = b;
        }

        /** sRGB 0..255, {r, g, b}. */
        public int[] rgb() {
            return new int[] {r, g, b};
        }

        /** sRGB in [0, 1], {r, g, b}: the values frames hold. */
        public float[] unit() {
            return new float[] {r / 255f, g / 255f, b / 255f};
        }

        @Override
        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The object's shape; each fills the same square bounding box of side {@code size} (see {@code ClipRenderer}). */
    public enum Shape implements Word {
        CIRCLE, SQUARE, TRIANGLE;

        @Override
        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The motion: a unit step in image coordinates (x to the right, y downwards, as rows are stored). */
    public enum Direction implements Word {
        LEFT(-1, 0), RIGHT(1, 0), UP(0, -1), DOWN(0, 1);

        private final int dx;
        private final int dy;

        Direction(int dx, int dy) {
            this.dx = dx;
            this.dy = dy;
        }

        /** -1, 0 or 1 along x (right is +1). */
        public int dx() {
            return dx;
        }

        /** -1, 0 or 1 along y (down is +1). */
        public int dy() {
            return dy;
        }

        /** True for left and right. */
        public boolean horizontal() {
            return dx != 0;
        }

        @Override
        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The flat background, sRGB 0..255. */
    public enum Background implements Word {
        BLACK(0), WHITE(255), GRAY(128);

        private final int level;

        Background(int level) {
            this.level = level;
        }

        /** sRGB 0..255, {r, g, b} (all equal). */
        public int[] rgb() {
            return new int[] {level, level, level};
        }

        /** sRGB in [0, 1], {r, g, b}. */
        public float[] unit() {
            float v = level / 255f;
            return new float[] {v, v, v};
        }

        @Override
        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The words of one category, comma separated: "red, green, blue, ...". */
    public static String list(Word[] words) {
        return Arrays.stream(words).map(Word::word).collect(Collectors.joining(", "));
    }

    /** The constant of {@code type} whose word is w (already lower case), or null. */
    static <E extends Enum<E> & Word> E lookup(Class<E> type, String w) {
        for (E e : type.getEnumConstants()) {
            if (e.word().equals(w)) {
                return e;
            }
        }
        return null;
    }

    /** The whole grammar and vocabulary on one line, for error messages. */
    public static String grammar() {
        return "prompts read \"a {colour} {shape} moving {direction}\" optionally followed by \"on a {background} background\""
                + " (\"an\" works as well as \"a\"); colour: " + list(Colour.values()) + "; shape: " + list(Shape.values())
                + "; direction: " + list(Direction.values()) + "; background: " + list(Background.values());
    }
}
