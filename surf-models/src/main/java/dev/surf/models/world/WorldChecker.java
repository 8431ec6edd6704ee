package dev.surf.models.world;

import dev.surf.models.video.FfmpegVideoReader;
import dev.surf.models.video.FrameFolderReader;
import dev.surf.models.video.SafetensorsVideoReader;
import dev.surf.models.video.VideoReader;
import dev.surf.models.world.WorldVocabulary.Background;
import dev.surf.models.world.WorldVocabulary.Colour;
import dev.surf.models.world.WorldVocabulary.Direction;
import dev.surf.models.world.WorldVocabulary.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The prompt checker of the small world: measures a video's background, object colour, shape and
 * motion, for {@link CheckReport#follows} to compare with a prompt. Works on frames of any size.
 *
 * <ol>
 * <li>Background: the mode colour of the border pixels ({@link BorderMode}, radius {@link #MODE_RADIUS}),
 *     named by the nearest world background in sRGB.</li>
 * <li>Object: pixels farther than {@link #OBJECT_THRESHOLD} from the background in sRGB (a third
 *     below the closest object/background pair of the world, purple on gray at 0.39, and four noise
 *     standard deviations of sigma 0.05 per channel); its interior and opened mask ({@link FrameObject}).
 *     A frame whose object has fewer than max(4, {@link #MIN_AREA} of the frame) pixels has none.</li>
 * <li>Colour: the mean of the interior pixels of all frames, named by the nearest world colour in CIE
 *     Lab (CIE76 Delta E, {@link Lab}).</li>
 * <li>Motion: the soft-weighted centroid of each frame's object; least-squares lines x(f), y(f); the
 *     fitted displacement over the clip as fractions of the width and height; the direction is the
 *     sign of the larger one, when it is at least {@link #MIN_MOTION} (else none).</li>
 * <li>Shape (informative): median over frames of soft area over soft box; circle pi/4, square 1,
 *     triangle 1/2, split at the midpoints 0.64 and 0.89.</li>
 * </ol>
 */
public final class WorldChecker {
    /** Border colours within this sRGB distance of a candidate count towards its mode. */
    public static final double MODE_RADIUS = 0.2;
    /** A pixel belongs to the object when its sRGB distance from the background exceeds this. */
    public static final double OBJECT_THRESHOLD = 0.2;
    /** Smallest object, as a fraction of the frame's pixels. */
    public static final double MIN_AREA = 0.002;
    /** Smallest fitted displacement, as a fraction of the frame's extent, that counts as motion. */
    public static final double MIN_MOTION = 0.10;

    private WorldChecker() {
    }

    /**
     * Checks a video file or frame folder: a folder of PNG / JPEG frames, a {@code .safetensors} with
     * tensor {@code video}, or a video file read through ffmpeg (null: none found).
     *
     * @throws IOException one line naming the input when it is missing or unreadable
     */
    public static CheckReport check(Path video, String ffmpeg) throws IOException {
        VideoReader r;
        if (Files.isDirectory(video)) {
            r = new FrameFolderReader(video);
        } else if (!Files.exists(video)) {
            throw new IOException("video " + video + " does not exist");
        } else if (video.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".safetensors")) {
            r = new SafetensorsVideoReader(video);
        } else if (ffmpeg == null) {
            throw new IOException("reading video " + video + " needs ffmpeg (set $SURF_FFMPEG or put ffmpeg on PATH), or give a folder of PNG frames");
        } else {
            r = new FfmpegVideoReader(ffmpeg, video, 0);
        }
        try (VideoReader in = r) {
            return check(in);
        }
    }

    /** Checks the frames of a reader (channels first in [-1, 1], the readers' convention). */
    public static CheckReport check(VideoReader reader) throws IOException {
        int w = reader.width();
        int h = reader.height();
        List<float[]> frames = new ArrayList<>();
        for (float[] f = reader.next(); f != null; f = reader.next()) {
            float[] u = new float[f.length];
            for (int i = 0; i < f.length; i++) {
                u[i] = f[i] * 0.5f + 0.5f;
            }
            frames.add(u);
        }
        if (frames.isEmpty()) {
            throw new IOException(reader.describe() + " has no frames");
        }
        return check(frames, w, h);
    }

    /**
     * Checks frames [3, height, width] (channel planes) in [0, 1], all of one size.
     *
     * @throws IllegalArgumentException for no frames, a frame of the wrong length or a side under 3 pixels
     */
    public static CheckReport check(List<float[]> frames, int width, int height) {
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("no frames to check");
        }
        if (width < 3 || height < 3) {
            throw new IllegalArgumentException("frames of " + width + "x" + height + " are too small to check");
        }
        for (float[] f : frames) {
            if (f.length != 3 * width * height) {
                throw new IllegalArgumentException("a frame of " + f.length + " values is not 3x" + height + "x" + width);
            }
        }
        BorderMode.Result bgm = BorderMode.of(frames, width, height);
        double[] bg = bgm.rgb();
        Background bgName = nearestBackground(bg);
        double bgDist = Math.sqrt(BorderMode.dist2(bg, unit(bgName.unit())));
        List<String> problems = new ArrayList<>();
        if (bgm.share() < 0.5) {
            problems.add(String.format(Locale.ROOT, "only %.0f%% of the border is near its mode colour: no flat background",
                    100 * bgm.share()));
        }
        int n = frames.size();
        FrameObject[] objs = new FrameObject[n];
        double[] sum = new double[3];
        int count = 0;
        double[] maskSum = new double[3];
        int masked = 0;
        int minArea = Math.max(4, (int) Math.ceil(MIN_AREA * width * height));
        int[] areas = new int[n];
        for (int f = 0; f < n; f++) {
            objs[f] = new FrameObject(frames.get(f), width, height, bg);
            areas[f] = objs[f].area;
            for (int c = 0; c < 3; c++) {
                sum[c] += objs[f].interiorSum[c];
                maskSum[c] += objs[f].maskSum[c];
            }
            count += objs[f].interior;
            masked += objs[f].masked;
            if (objs[f].area < minArea) {
                problems.add("frame " + f + ": no object (" + objs[f].area + " pixels differ from the background by more than "
                        + OBJECT_THRESHOLD + " in sRGB after removing specks; at least " + minArea + " needed)");
            }
        }
        double[] colour = null;
        Colour colourName = null;
        double deltaE = Double.NaN;
        if (count > 0 || masked > 0) {
            colour = new double[3];
            for (int c = 0; c < 3; c++) {
                colour[c] = count > 0 ? sum[c] / count : maskSum[c] / masked;
            }
            double[] lab = Lab.of(colour[0], colour[1], colour[2]);
            deltaE = Double.POSITIVE_INFINITY;
            for (Colour c : Colour.values()) {
                float[] u = c.unit();
                double d = Lab.deltaE(lab, Lab.of(u[0], u[1], u[2]));
                if (d < deltaE) {
                    deltaE = d;
                    colourName = c;
                }
            }
        }
        double contrast = colour == null ? 1 : Math.sqrt(BorderMode.dist2(colour, bg));
        double[] cx = new double[n];
        double[] cy = new double[n];
        double[] fills = new double[n];
        int present = 0;
        for (int f = 0; f < n; f++) {
            cx[f] = Double.NaN;
            cy[f] = Double.NaN;
            if (objs[f].area >= minArea) {
                double[] m = objs[f].measure(contrast, bgm.noise());
                cx[f] = m[1];
                cy[f] = m[2];
                fills[present++] = m[0] / Math.max(1e-9, m[3] * m[4]);
            }
        }
        double dx = slope(cx) * (n - 1) / width;
        double dy = slope(cy) * (n - 1) / height;
        Direction dir = null;
        if (Math.max(Math.abs(dx), Math.abs(dy)) >= MIN_MOTION) {
            dir = Math.abs(dx) >= Math.abs(dy) ? (dx > 0 ? Direction.RIGHT : Direction.LEFT) : (dy > 0 ? Direction.DOWN : Direction.UP);
        }
        Shape shape = null;
        double fill = Double.NaN;
        if (present > 0) {
            double[] fs = Arrays.copyOf(fills, present);
            Arrays.sort(fs);
            fill = present % 2 == 1 ? fs[present / 2] : (fs[present / 2 - 1] + fs[present / 2]) / 2;
            shape = fill < 0.64 ? Shape.TRIANGLE : fill < 0.89 ? Shape.CIRCLE : Shape.SQUARE;
        }
        if (present < 2 && present < n) {
            problems.add("fewer than two frames show an object: no motion can be measured");
        }
        return new CheckReport(width, height, bg, bgName, bgDist, colour, colourName, deltaE, shape, fill, dir,
                Double.isNaN(dx) ? 0 : dx, Double.isNaN(dy) ? 0 : dy, areas, cx, cy, List.copyOf(problems));
    }

    /** Least-squares slope of v against the frame number over the frames where v is a number (NaN for fewer than two). */
    static double slope(double[] v) {
        double st = 0;
        double sv = 0;
        int k = 0;
        for (int f = 0; f < v.length; f++) {
            if (!Double.isNaN(v[f])) {
                st += f;
                sv += v[f];
                k++;
            }
        }
        if (k < 2) {
            return Double.NaN;
        }
        double mt = st / k;
        double mv = sv / k;
        double num = 0;
        double den = 0;
        for (int f = 0; f < v.length; f++) {
            if (!Double.isNaN(v[f])) {
                num += (f - mt) * (v[f] - mv);
                den += (f - mt) * (f - mt);
            }
        }
        return num / den;
    }

    private static Background nearestBackground(double[] bg) {
        Background best = null;
        double d = Double.POSITIVE_INFINITY;
        for (Background b : Background.values()) {
            double e = BorderMode.dist2(bg, unit(b.unit()));
            if (e < d) {
                d = e;
                best = b;
            }
        }
        return best;
    }

    private static double[] unit(float[] v) {
        return new double[] {v[0], v[1], v[2]};
    }
}
