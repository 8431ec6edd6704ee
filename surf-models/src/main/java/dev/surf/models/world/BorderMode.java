package dev.surf.models.world;

import java.util.List;

/**
 * The background of a clip as the mode colour of its border pixels (the outermost row and column on
 * each side, over all frames): the object may touch the border in some frames, the background is
 * everywhere else on it. The mode is found by counting, for up to {@value #CANDIDATES} border pixels
 * spread evenly, how many border pixels lie within {@link WorldChecker#MODE_RADIUS} (sRGB Euclidean, values
 * in [0, 1]); the background is the mean of the pixels near the best candidate, recentred once on that mean.
 */
final class BorderMode {
    static final int CANDIDATES = 128;
    private static final int MAX_POOL = 8192;

    /** The mode colour {r, g, b} and the mean distance of the border pixels near it (the noise level). */
    record Result(double[] rgb, double noise, double share) { }

    private BorderMode() {
    }

    static Result of(List<float[]> frames, int w, int h) {
        int perFrame = 2 * w + 2 * (h - 2);
        int total = perFrame * frames.size();
        int step = Math.max(1, total / MAX_POOL);
        int n = (total + step - 1) / step;
        double[][] pool = new double[n][];
        int k = 0;
        int i = 0;
        for (float[] fr : frames) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    if (y != 0 && y != h - 1 && x != 0 && x != w - 1) {
                        continue;
                    }
                    if (i++ % step == 0 && k < n) {
                        int p = y * w + x;
                        pool[k++] = new double[] {fr[p], fr[w * h + p], fr[2 * w * h + p]};
                    }
                }
            }
        }
        double r2 = WorldChecker.MODE_RADIUS * WorldChecker.MODE_RADIUS;
        int best = -1;
        int bestCount = -1;
        int cstep = Math.max(1, k / CANDIDATES);
        for (int c = 0; c < k; c += cstep) {
            int count = 0;
            for (int j = 0; j < k; j++) {
                if (dist2(pool[c], pool[j]) <= r2) {
                    count++;
                }
            }
            if (count > bestCount) {
                bestCount = count;
                best = c;
            }
        }
        double[] centre = mean(pool, k, pool[best], r2);
        centre = mean(pool, k, centre, r2);
        double noise = 0;
        int near = 0;
        for (int j = 0; j < k; j++) {
            double d2 = dist2(centre, pool[j]);
            if (d2 <= r2) {
                noise += Math.sqrt(d2);
                near++;
            }
        }
        return new Result(centre, near > 0 ? noise / near : 0, near / (double) k);
    }

    private static double[] mean(double[][] pool, int k, double[] around, double r2) {
        double[] m = new double[3];
        int n = 0;
        for (int j = 0; j < k; j++) {
            if (dist2(around, pool[j]) <= r2) {
                for (int c = 0; c < 3; c++) {
                    m[c] += pool[j][c];
                }
                n++;
            }
        }
        if (n == 0) {
            return around.clone();
        }
        for (int c = 0; c < 3; c++) {
            m[c] /= n;
        }
        return m;
    }

    static double dist2(double[] a, double[] b) {
        double dr = a[0] - b[0];
        double dg = a[1] - b[1];
        double db = a[2] - b[2];
        return dr * dr + dg * dg + db * db;
    }
}
