package dev.surf.models.world;

/**
 * The object in one frame, segmented against a known background colour.
 *
 * <p>Mask: pixels farther than {@link WorldChecker#OBJECT_THRESHOLD} from the background (sRGB Euclidean).
 * Interior: mask pixels whose 8 neighbours are all in the mask (a 3x3 erosion), free of anti-aliased
 * edges and of isolated noise; its mean is the object's colour. Object: the mask opened by the same 3x3
 * square (the interior dilated back, within the mask), so that lone noise pixels do not count towards
 * the area and the centroid.
 */
final class FrameObject {
    final int width;
    final int height;
    /** Distance of each pixel from the background. */
    final float[] dist;
    /** The opened mask. */
    final boolean[] object;
    /** Pixels in the opened mask. */
    final int area;
    /** Sum of the interior pixels' r, g, b, and their count. */
    final double[] interiorSum = new double[3];
    final int interior;
    /** Sum of the mask pixels' r, g, b, and their count (used when no interior exists). */
    final double[] maskSum = new double[3];
    final int masked;

    FrameObject(float[] frame, int w, int h, double[] bg) {
        width = w;
        height = h;
        int plane = w * h;
        dist = new float[plane];
        boolean[] mask = new boolean[plane];
        int nm = 0;
        for (int p = 0; p < plane; p++) {
            double dr = frame[p] - bg[0];
            double dg = frame[plane + p] - bg[1];
            double db = frame[2 * plane + p] - bg[2];
            dist[p] = (float) Math.sqrt(dr * dr + dg * dg + db * db);
            if (dist[p] > WorldChecker.OBJECT_THRESHOLD) {
                mask[p] = true;
                nm++;
                for (int c = 0; c < 3; c++) {
                    maskSum[c] += frame[c * plane + p];
                }
            }
        }
        masked = nm;
        boolean[] inner = new boolean[plane];
        int ni = 0;
        for (int y = 1; y < h - 1; y++) {
            for (int x = 1; x < w - 1; x++) {
                if (all(mask, w, x, y)) {
                    int p = y * w + x;
                    inner[p] = true;
                    ni++;
                    for (int c = 0; c < 3; c++) {
                        interiorSum[c] += frame[c * plane + p];
                    }
                }
            }
        }
        interior = ni;
        object = new boolean[plane];
        int na = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = y * w + x;
                if (mask[p] && any(inner, w, h, x, y)) {
                    object[p] = true;
                    na++;
                }
            }
        }
        area = na;
    }

    private static boolean all(boolean[] m, int w, int x, int y) {
        for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
                if (!m[(y + dy) * w + x + dx]) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean any(boolean[] m, int w, int h, int x, int y) {
        for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
                int xx = x + dx;
                int yy = y + dy;
                if (xx >= 0 && yy >= 0 && xx < w && yy < h && m[yy * w + xx]) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Soft measures of the object with weights {@code clamp((dist - noise) / (contrast - noise), 0, 1)} over the
     * object pixels and the one-pixel ring around them (where the anti-aliased edge lies):
     * {weight sum, centroid x, centroid y (pixel centres at +0.5), width, height}, width and height as the
     * sums over columns (rows) of the largest weight in each, so that a partly covered edge column counts in part.
     */
    double[] measure(double contrast, double noise) {
        int w = width;
        int h = height;
        double span = Math.max(1e-6, contrast - noise);
        double[] colMax = new double[w];
        double[] rowMax = new double[h];
        double sum = 0;
        double sx = 0;
        double sy = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = y * w + x;
                if (!object[p] && !any(object, w, h, x, y)) {
                    continue;
                }
                double v = Math.max(0, Math.min(1, (dist[p] - noise) / span));
                sum += v;
                sx += v * (x + 0.5);
                sy += v * (y + 0.5);
                colMax[x] = Math.max(colMax[x], v);
                rowMax[y] = Math.max(rowMax[y], v);
            }
        }
        double bw = 0;
        for (double v : colMax) {
            bw += v;
        }
        double bh = 0;
        for (double v : rowMax) {
            bh += v;
        }
        return new double[] {sum, sum > 0 ? sx / sum : Double.NaN, sum > 0 ? sy / sum : Double.NaN, bw, bh};
    }
}
