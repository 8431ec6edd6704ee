package dev.surf.models.world;

import dev.surf.models.world.WorldVocabulary.Background;
import dev.surf.models.world.WorldVocabulary.Colour;
import dev.surf.models.world.WorldVocabulary.Direction;
import dev.surf.models.world.WorldVocabulary.Shape;
import java.util.SplittableRandom;

/**
 * The parameters of one clip of the small world, drawn deterministically from (seed, index).
 *
 * <p>Geometry is resolution free: lengths are in units of the frame <em>height</em>, so the frame spans
 * x in [0, aspect] and y in [0, 1] (y downwards), and a clip renders the same at W x H, 2W x 2H and
 * 4W x 4H. The object fills a square bounding box of side {@link #size} centred on its position; the
 * position moves in a straight line at constant speed from {@link #startX}, {@link #startY} (frame 0)
 * by {@link #travel} times the frame's extent along the motion axis (frame {@link #FRAMES} - 1). The
 * whole box stays inside the frame in every frame.
 *
 * <p>The draw ({@link #draw}): a {@link SplittableRandom} seeded with
 * {@code seed ^ (index * 0x9E3779B97F4A7C15L)} (the JDK's SplitMix64 scrambles that seed), then in this
 * order: colour, shape, direction, background (each {@code nextInt(n)}, uniform over the vocabulary),
 * whether the caption states the background ({@code nextDouble() < 0.5}), size (uniform in
 * [0.16, 0.40] of the height), travel (uniform in [0.30, 0.60] of the extent, capped where a large
 * object in a narrow frame would not fit), the start along the motion axis and across it (uniform over
 * the positions that keep the box inside for the whole clip).
 *
 * @param seed            the dataset seed
 * @param index           the clip's number in the dataset
 * @param aspect          frame width / height the geometry was drawn for
 * @param colour          the object's colour
 * @param shape           the object's shape
 * @param direction       the motion
 * @param background      the background (always fixed in the clip)
 * @param statesBackground whether the caption states the background
 * @param size            side of the object's bounding box, as a fraction of the frame height
 * @param travel          distance moved over the clip, as a fraction of the frame's extent along the motion axis
 * @param startX          box centre at frame 0, x in height units
 * @param startY          box centre at frame 0, y in height units
 */
public record WorldClip(long seed, long index, double aspect, Colour colour, Shape shape, Direction direction, Background background,
                        boolean statesBackground, double size, double travel, double startX, double startY) {
    /** Frames per clip (Wan's 1 + 4n; 17 frames at 16 fps is about one second). */
    public static final int FRAMES = 17;
    /** Frame rate the clips are meant for. */
    public static final double FPS = 16;
    /** Object size range, fraction of the frame height. */
    public static final double MIN_SIZE = 0.16;
    public static final double MAX_SIZE = 0.40;
    /** Travel range, fraction of the frame extent along the motion axis. */
    public static final double MIN_TRAVEL = 0.30;
    public static final double MAX_TRAVEL = 0.60;
    /** How often a caption states the background. */
    public static final double STATED_BACKGROUND = 0.5;
    /** Narrowest frame (width / height) in which every size still travels at least {@link #MIN_TRAVEL}. */
    public static final double MIN_ASPECT = MAX_SIZE / (1 - MIN_TRAVEL);

    /** Clip index of a dataset drawn from seed, for frames of the given width / height. */
    public static WorldClip draw(long seed, long index, double aspect) {
        SplittableRandom rng = rng(seed, index, aspect);
        Colour c = pick(rng, Colour.values());
        Shape s = pick(rng, Shape.values());
        Direction d = pick(rng, Direction.values());
        Background b = pick(rng, Background.values());
        boolean stated = rng.nextDouble() < STATED_BACKGROUND;
        return geometry(rng, seed, index, aspect, c, s, d, b, stated);
    }

    /**
     * A clip that follows the prompt: the stated parts as given, the rest drawn from seed as {@link #draw}
     * draws clip 0 (the same random numbers are consumed, so the geometry is that of {@code draw(seed, 0, aspect)}).
     * The background is drawn when the prompt leaves it open; the caption states it exactly when the prompt does.
     */
    public static WorldClip forPrompt(WorldPrompt p, long seed, double aspect) {
        SplittableRandom rng = rng(seed, 0, aspect);
        pick(rng, Colour.values());
        pick(rng, Shape.values());
        pick(rng, Direction.values());
        Background drawn = pick(rng, Background.values());
        rng.nextDouble();
        Background b = p.background() != null ? p.background() : drawn;
        return geometry(rng, seed, 0, aspect, p.colour(), p.shape(), p.direction(), b, p.background() != null);
    }

    private static SplittableRandom rng(long seed, long index, double aspect) {
        if (!(aspect >= MIN_ASPECT) || aspect > 64) {
            throw new IllegalArgumentException("frames of width/height " + aspect + " are outside [" + String.format("%.3f", MIN_ASPECT)
                    + ", 64]: the object (up to " + MAX_SIZE + " of the height) could not travel " + MIN_TRAVEL + " of a narrower frame");
        }
        return new SplittableRandom(seed ^ (index * 0x9E3779B97F4A7C15L));
    }

    private static WorldClip geometry(SplittableRandom rng, long seed, long index, double aspect, Colour c, Shape s, Direction d,
                                      Background b, boolean stated) {
        double size = uniform(rng, MIN_SIZE, MAX_SIZE);
        double along = d.horizontal() ? aspect : 1;
        double across = d.horizontal() ? 1 : aspect;
        double maxTravel = Math.min(MAX_TRAVEL, (along - size) / along);
        double travel = uniform(rng, MIN_TRAVEL, maxTravel);
        double dist = travel * along;
        // the centre's first position along the axis so that first and last boxes are inside [0, along]
        double lo = size / 2 + (d.dx() + d.dy() < 0 ? dist : 0);
        double first = uniform(rng, lo, lo + (along - size - dist));
        double cross = uniform(rng, size / 2, across - size / 2);
        double x = d.horizontal() ? first : cross;
        double y = d.horizontal() ? cross : first;
        return new WorldClip(seed, index, aspect, c, s, d, b, stated, size, travel, x, y);
    }

    private static double uniform(SplittableRandom rng, double lo, double hi) {
        return lo + (hi - lo) * rng.nextDouble();
    }

    private static <T> T pick(SplittableRandom rng, T[] values) {
        return values[rng.nextInt(values.length)];
    }

    /** The distance moved over the clip, in height units (travel times the extent along the motion axis). */
    public double distance() {
        return travel * (direction.horizontal() ? aspect : 1);
    }

    /** Box centre x at frame f (0 .. FRAMES-1), height units: constant speed. */
    public double centreX(int f) {
        return startX + direction.dx() * distance() * f / (FRAMES - 1);
    }

    /** Box centre y at frame f, height units. */
    public double centreY(int f) {
        return startY + direction.dy() * distance() * f / (FRAMES - 1);
    }

    /** What the clip shows, as a prompt: the background stated only when {@link #statesBackground}. */
    public WorldPrompt prompt() {
        return new WorldPrompt(colour, shape, direction, statesBackground ? background : null);
    }

    /** The caption: {@link #prompt()} in canonical form. */
    public String caption() {
        return prompt().canonical();
    }
}
