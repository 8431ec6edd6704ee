package dev.surf.models.vae.train;

import dev.surf.core.Backend;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.models.vae.LatentNormalization;
import dev.surf.models.vae.WanVaeEncoder;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Gives a trained Wan-VAE unit latents by folding their measured statistics into its weights.
 *
 * <p>Why: the latent normalisation is fixed (Wan 2.1's MEAN / STD in {@link LatentNormalization}, which
 * the encoder applies and the decoder undoes), and the DiT's flow-matching noise assumes the
 * normalised latent z has zero mean and unit variance per channel. A VAE trained from scratch puts its
 * latents at whatever offset and scale the reconstruction found. Asking for unit moments in the loss
 * works against the reconstruction (at batch 1 it asks every crop to have zero-mean latents, its flat
 * colour included); instead the per-channel mean m_c and standard deviation s_c of z are measured
 * over training clips, and the two 1x1x1 convolutions on either side of the latent are rewritten so
 * that the new encoder gives z' = (z - m) / s and the new decoder turns z' back into exactly what the
 * old one made of z. The reconstruction is unchanged (up to float rounding); only the coordinates of
 * the latent space move.
 *
 * <p>With mu = W1 h + b1 the encoder's mean half of {@code conv1} (rows 0 .. z-1), M and S Wan's
 * statistics, z = (mu - M) / S, the new mean is mu' = M + S z' = mu / s + M - (M + S m) / s, hence
 * W1' = W1 / s (per output row), b1' = (b1 - M - S m) / s + M. The decoder's {@code conv2} (1x1x1,
 * W2 b2) sees mu = s mu' + (1 - s) M + S m, hence W2' = W2 diag(s), b2' = b2 + W2 ((1 - s) M + S m).
 * The log-variance half of {@code conv1} is left as it is (never used). A channel whose deviation is
 * below {@link #DEAD} (a constant the VAE does not use) is only centred.
 */
public final class VaeLatentStandardizer {
    /** Deviation below which a channel counts as constant: it is centred, not scaled. */
    public static final double DEAD = 1e-6;

    /**
     * Per-channel mean and standard deviation of the normalised latent over {@code clips} whole clips.
     *
     * @param mean the channel means m_c
     * @param std  the channel standard deviations s_c (population)
     */
    public record Stats(double[] mean, double[] std, int clips) {
        public Stats {
            if (mean.length != std.length) {
                throw new IllegalArgumentException("latent stats: " + mean.length + " means but " + std.length + " deviations");
            }
            mean = mean.clone();
            std = std.clone();
        }

        /** The scale the channel is divided by: its deviation, or 1 for a constant channel. */
        double scale(int c) {
            return std[c] < DEAD ? 1 : std[c];
        }

        /** For the weight file's metadata: "m0,m1,..." with 6 significant digits. */
        String join(double[] v) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < v.length; i++) {
                sb.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.6g", v[i]));
            }
            return sb.toString();
        }

        /** Metadata entries recording the folded statistics. */
        Map<String, String> metadata() {
            return Map.of("latent_standardized_clips", Integer.toString(clips), "latent_mean_before", join(mean),
                    "latent_std_before", join(std));
        }
    }

    /** Progress while measuring: told after each clip. */
    @FunctionalInterface
    public interface Progress {
        void clipDone(int done, int total);
    }

    private VaeLatentStandardizer() {
    }

    /**
     * Encodes clips 0 .. count-1 whole (count is capped at clips.size()) and returns the per-channel
     * moments of the normalised latents, accumulated in double over every latent element.
     */
    public static Stats measure(WanVaeEncoder encoder, VaeClips clips, int count, Progress progress) {
        if (count < 1) {
            throw new IllegalArgumentException("latent stats need at least one clip, got " + count);
        }
        Backend be = encoder.backend();
        int n = Math.min(count, clips.size());
        int zc = encoder.config().zDim();
        double[] sum = new double[zc];
        double[] sq = new double[zc];
        long per = 0;
        for (int i = 0; i < n; i++) {
            try (Tensor x = clips.frames(i, be); Tensor z = encoder.encode(x)) {
                float[] v = be.toFloats(z);
                int each = v.length / zc;
                for (int c = 0; c < zc; c++) {
                    for (int j = c * each; j < (c + 1) * each; j++) {
                        sum[c] += v[j];
                        sq[c] += (double) v[j] * v[j];
                    }
                }
                per += each;
            }
            if (progress != null) {
                progress.clipDone(i + 1, n);
            }
        }
        double[] mean = new double[zc];
        double[] std = new double[zc];
        for (int c = 0; c < zc; c++) {
            mean[c] = sum[c] / per;
            std[c] = Math.sqrt(Math.max(0, sq[c] / per - mean[c] * mean[c]));
        }
        return new Stats(mean, std, n);
    }

    /**
     * The weights with {@code conv1.*} and {@code conv2.*} rewritten for the stats (new F32 tensors;
     * every other entry is the caller's tensor, unchanged). The caller closes the four new tensors,
     * e.g. with {@link #closeFolded}.
     */
    public static Map<String, Tensor> fold(Map<String, Tensor> weights, Stats stats, Backend be) {
        int zc = stats.mean().length;
        if (zc != LatentNormalization.MEAN.length) {
            throw new IllegalArgumentException("latent stats of " + zc + " channels; the Wan 2.1 normalisation has "
                    + LatentNormalization.MEAN.length);
        }
        float[] w1 = floats(weights, be, "conv1.weight");
        float[] b1 = floats(weights, be, "conv1.bias");
        float[] w2 = floats(weights, be, "conv2.weight");
        float[] b2 = floats(weights, be, "conv2.bias");
        int in1 = w1.length / b1.length;
        if (b1.length != 2 * zc || w1.length != in1 * 2 * zc || b2.length != zc || w2.length != zc * zc) {
            throw new IllegalArgumentException("conv1 / conv2 of " + w1.length + ", " + b1.length + ", " + w2.length + ", " + b2.length
                    + " values do not fit a latent of " + zc + " channels");
        }
        double[] shift = new double[zc];
        for (int c = 0; c < zc; c++) {
            double s = stats.scale(c);
            double mu = LatentNormalization.MEAN[c];
            double sd = LatentNormalization.STD[c];
            for (int k = 0; k < in1; k++) {
                w1[c * in1 + k] = (float) (w1[c * in1 + k] / s);
            }
            b1[c] = (float) ((b1[c] - mu - sd * stats.mean()[c]) / s + mu);
            shift[c] = (1 - s) * mu + sd * stats.mean()[c];
        }
        for (int o = 0; o < zc; o++) {
            double add = 0;
            for (int c = 0; c < zc; c++) {
                add += w2[o * zc + c] * shift[c];
                w2[o * zc + c] = (float) (w2[o * zc + c] * stats.scale(c));
            }
            b2[o] = (float) (b2[o] + add);
        }
        Map<String, Tensor> out = new TreeMap<>(weights);
        out.put("conv1.weight", be.fromFloats(w1, weights.get("conv1.weight").shape()));
        out.put("conv1.bias", be.fromFloats(b1, Shape.of(2 * zc)));
        out.put("conv2.weight", be.fromFloats(w2, weights.get("conv2.weight").shape()));
        out.put("conv2.bias", be.fromFloats(b2, Shape.of(zc)));
        return out;
    }

    /** Closes the four tensors {@link #fold} made. */
    public static void closeFolded(Map<String, Tensor> folded) {
        for (String k : new String[] {"conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias"}) {
            folded.get(k).close();
        }
    }

    private static float[] floats(Map<String, Tensor> weights, Backend be, String name) {
        Tensor t = weights.get(name);
        if (t == null) {
            throw new IllegalArgumentException("the VAE weights have no " + name);
        }
        return be.toFloats(t);
    }
}
