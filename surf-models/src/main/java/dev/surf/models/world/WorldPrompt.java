package dev.surf.models.world;

import dev.surf.models.world.WorldVocabulary.Background;
import dev.surf.models.world.WorldVocabulary.Colour;
import dev.surf.models.world.WorldVocabulary.Direction;
import dev.surf.models.world.WorldVocabulary.Shape;
import dev.surf.models.world.WorldVocabulary.Word;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One prompt of the small world: "a {colour} {shape} moving {direction}", optionally followed by
 * "on a {background} background". The background is null when the prompt does not state it.
 *
 * @param colour     the object's colour
 * @param shape      the object's shape
 * @param direction  the motion
 * @param background the stated background, or null (the generator then draws one at random)
 */
public record WorldPrompt(Colour colour, Shape shape, Direction direction, Background background) {
    public WorldPrompt {
        Objects.requireNonNull(colour, "colour");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(direction, "direction");
    }

    /**
     * Parses a prompt. Case does not matter and words may be separated by any run of whitespace; the
     * article may be "a" or "an" before any colour (and before the background).
     *
     * @throws IllegalArgumentException one line that names the first bad (or missing) word and lists the vocabulary
     */
    public static WorldPrompt parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("the prompt is empty; " + WorldVocabulary.grammar());
        }
        String[] w = text.strip().toLowerCase(Locale.ROOT).split("\\s+");
        Reader r = new Reader(w);
        r.article();
        Colour colour = r.word(Colour.class, "a colour");
        Shape shape = r.word(Shape.class, "a shape");
        r.literal("moving");
        Direction direction = r.word(Direction.class, "a direction");
        Background background = null;
        if (r.more()) {
            r.literal("on");
            r.article();
            background = r.word(Background.class, "a background");
            r.literal("background");
            if (r.more()) {
                throw r.error("unexpected word \"" + w[r.at] + "\" after the end of the prompt");
            }
        }
        return new WorldPrompt(colour, shape, direction, background);
    }

    /** The prompt in its one written form: "a red circle moving left on a black background" ("an" before orange). */
    public String canonical() {
        String s = article(colour) + " " + colour.word() + " " + shape.word() + " moving " + direction.word();
        return background == null ? s : s + " on a " + background.word() + " background";
    }

    /** The words of {@link #canonical()}, lower case, in order. */
    public List<String> words() {
        return List.of(canonical().split(" "));
    }

    /** The same prompt with the background stated (or dropped, for null). */
    public WorldPrompt withBackground(Background b) {
        return new WorldPrompt(colour, shape, direction, b);
    }

    private static String article(Colour c) {
        return "aeiou".indexOf(c.word().charAt(0)) >= 0 ? "an" : "a";
    }

    @Override
    public String toString() {
        return canonical();
    }

    /** A cursor over the words, with errors that say where it stopped. */
    private static final class Reader {
        private final String[] w;
        private int at;

        Reader(String[] w) {
            this.w = w;
        }

        boolean more() {
            return at < w.length;
        }

        void article() {
            String got = next("the article \"a\" or \"an\"");
            if (!got.equals("a") && !got.equals("an")) {
                throw error("expected the article \"a\" or \"an\", got \"" + got + "\"");
            }
        }

        void literal(String expected) {
            String got = next("the word \"" + expected + "\"");
            if (!got.equals(expected)) {
                throw error("expected \"" + expected + "\", got \"" + got + "\"");
            }
        }

        <E extends Enum<E> & Word> E word(Class<E> type, String what) {
            String got = next(what);
            E e = WorldVocabulary.lookup(type, got);
            if (e == null) {
                throw error("\"" + got + "\" is not " + what + " (" + WorldVocabulary.list(type.getEnumConstants()) + ")");
            }
            return e;
        }

        private String next(String what) {
            if (at >= w.length) {
                throw error("the prompt ends where " + what + " should come");
            }
            return w[at++];
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException("prompt \"" + String.join(" ", w) + "\": " + what + "; " + WorldVocabulary.grammar());
        }
    }
}
