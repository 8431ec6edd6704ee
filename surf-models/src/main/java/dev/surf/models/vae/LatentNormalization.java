package dev.surf.models.vae;

/**
 * The per-channel statistics of Wan 2.1 latents (spec/wan21.md §4.4; identical in diffusers'
 * AutoencoderKLWan config). The DiT works on normalised latents z = (mu - mean) / std; decoding
 * starts by undoing that exactly as the official code does: it stores {@code inv = fp32(1/std)}
 * and divides by it, which is not always the same float as multiplying by std.
 */
public final class LatentNormalization {
    /** Channel means. */
    public static final float[] MEAN = {
        -0.7571f, -0.7089f, -0.9113f, 0.1075f, -0.1745f, 0.9653f, -0.1517f, 1.5508f,
        0.4134f, -0.0715f, 0.5517f, -0.3632f, -0.1922f, -0.9497f, 0.2503f, -0.2921f};
    /** Channel standard deviations. */
    public static final float[] STD = {
        2.8184f, 1.4541f, 2.3275f, 2.6558f, 1.2196f, 1.7708f, 2.6052f, 2.0743f,
        3.2687f, 2.1526f, 2.8652f, 1.5579f, 1.6382f, 1.1253f, 2.8251f, 1.9160f};

    private LatentNormalization() {
    }

    /**
     * Un-normalises channels-first latent values in place: data holds C = 16 channels of
     * {@code perChannel} values each, and every value becomes z / fp32(1/std_c) + mean_c.
     */
    public static void unnormalize(float[] data, int perChannel) {
        if (data.length != MEAN.length * perChannel) {
            throw new IllegalArgumentException("latent data of " + data.length + " values is not " + MEAN.length
                    + " channels x " + perChannel);
        }
        for (int c = 0; c < MEAN.length; c++) {
            // torch's scale holds 1/std as an fp32 tensor; the division then rounds once more
            float inv = 1f / STD[c];
            float m = MEAN[c];
            int base = c * perChannel;
            for (int i = 0; i < perChannel; i++) {
                data[base + i] = data[base + i] / inv + m;
            }
        }
    }

    /**
     * Normalises channels-first encoder means in place as the official encode does:
     * (mu - mean_c) * fp32(1/std_c) (it multiplies by the stored reciprocal, it does not divide).
     */
    public static void normalize(float[] data, int perChannel) {
        if (data.length != MEAN.length * perChannel) {
            throw new IllegalArgumentException("latent data of " + data.length + " values is not " + MEAN.length
                    + " channels x " + perChannel);
        }
        for (int c = 0; c < MEAN.length; c++) {
            float inv = 1f / STD[c];
            float m = MEAN[c];
            int base = c * perChannel;
            for (int i = 0; i < perChannel; i++) {
                data[base + i] = (data[base + i] - m) * inv;
            }
        }
    }
}
