package dev.surf.models.video;

/**
 * The official mapping from decoder output to 8-bit pixels ({@code cache_video} in wan/utils/utils.py):
 * clamp to [-1, 1], torchvision's make_grid normalisation (x + 1) / 2, times 255, truncated to uint8
 * by {@code .type(torch.uint8)}. Every step is F32 arithmetic, as in torch.
 */
public final class Pixels {
    private Pixels() {
    }

    /** One value in [-1, 1] (clamped first) to 0..255. NaN maps to 0. */
    public static int toByte(float x) {
        float c = x < -1f ? -1f : x > 1f ? 1f : x;
        if (c != c) {
            return 0;
        }
        return (int) ((c + 1f) / 2f * 255f);
    }

    /**
     * Frame f of channels-first frames [3, n, h, w] (values as floats, row-major) to interleaved RGB
     * bytes (h x w x 3), the layout image and video encoders take.
     */
    public static byte[] rgb(float[] frames, int n, int h, int w, int f) {
        int plane = h * w;
        byte[] out = new byte[3 * plane];
        for (int c = 0; c < 3; c++) {
            int base = (c * n + f) * plane;
            for (int p = 0; p < plane; p++) {
                out[3 * p + c] = (byte) toByte(frames[base + p]);
            }
        }
        return out;
    }
}
