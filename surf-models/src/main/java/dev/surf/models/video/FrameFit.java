package dev.surf.models.video;

/**
 * Resize and centre-crop of channels-first RGB frames to a requested size: the frame is scaled by
 * s = max(W / w, H / h), the smallest factor at which it covers W x H (aspect ratio kept), and the
 * centre W x H is kept. Sampling is bilinear at pixel centres (align_corners = false, edges
 * clamped), straight from the source into the crop; at s = 1 it is an exact crop. There is no
 * antialiasing filter, so reductions by more than 2x alias: resize such videos beforehand.
 */
public final class FrameFit {
    private FrameFit() {
    }

    /** frame [3, h, w] -> [3, th, tw]; the input itself when the sizes already agree. */
    public static float[] fit(float[] frame, int w, int h, int tw, int th) {
        if (w == tw && h == th) {
            return frame;
        }
        double s = Math.max((double) tw / w, (double) th / h);
        // the crop's offset inside the scaled frame, whole scaled pixels (an exact crop at s = 1)
        double ox = Math.floor((Math.round(w * s) - tw) / 2.0);
        double oy = Math.floor((Math.round(h * s) - th) / 2.0);
        int[] x0 = new int[tw];
        int[] x1 = new int[tw];
        float[] fx = new float[tw];
        for (int x = 0; x < tw; x++) {
            double u = Math.min(w - 1, Math.max(0, (x + ox + 0.5) / s - 0.5));
            x0[x] = (int) Math.floor(u);
            x1[x] = Math.min(w - 1, x0[x] + 1);
            fx[x] = (float) (u - x0[x]);
        }
        float[] out = new float[3 * tw * th];
        for (int y = 0; y < th; y++) {
            double v = Math.min(h - 1, Math.max(0, (y + oy + 0.5) / s - 0.5));
            int y0 = (int) Math.floor(v);
            int y1 = Math.min(h - 1, y0 + 1);
            float fy = (float) (v - y0);
            for (int c = 0; c < 3; c++) {
                int r0 = (c * h + y0) * w;
                int r1 = (c * h + y1) * w;
                int o = (c * th + y) * tw;
                for (int x = 0; x < tw; x++) {
                    float top = frame[r0 + x0[x]] + fx[x] * (frame[r0 + x1[x]] - frame[r0 + x0[x]]);
                    float bottom = frame[r1 + x0[x]] + fx[x] * (frame[r1 + x1[x]] - frame[r1 + x0[x]]);
                    out[o + x] = top + fy * (bottom - top);
                }
            }
        }
        return out;
    }

    /** The centre tw x th of frame [3, h, w] (offsets floor((w - tw) / 2), floor((h - th) / 2)), no scaling. */
    public static float[] crop(float[] frame, int w, int h, int tw, int th) {
        if (w == tw && h == th) {
            return frame;
        }
        int ox = (w - tw) / 2;
        int oy = (h - th) / 2;
        float[] out = new float[3 * tw * th];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < th; y++) {
                System.arraycopy(frame, (c * h + y + oy) * w + ox, out, (c * th + y) * tw, tw);
            }
        }
        return out;
    }
}
