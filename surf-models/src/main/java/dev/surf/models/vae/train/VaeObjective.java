package dev.surf.models.vae.train;

import dev.surf.core.Activation;
import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.grad.Tape;
import dev.surf.core.grad.Variable;
import java.util.List;

/**
 * The loss a Wan-VAE is trained with here, recorded on a tape over one batch of clips:
 * <pre>
 * loss = mean over clips [ mean_p w_p |x'_p - x_p| + mean_p w_p (x'_p - x_p)^2 ]  +  w_moment * M
 * M    = mean_c m_c^2 + mean_c (s_c - 1)^2,   m_c = E[z_c],  s_c = E[z_c^2]
 * w_p  = (1 + lambda d_p) / mean_q (1 + lambda d_q),   d_p = mean_c |x_cp - mean_q x_cq|
 * </pre>
 * where x' = decode(encode(x)) is the raw decoder output and z the normalised latent
 * (mu - MEAN) / STD, its moments taken per channel over every latent element of the batch.
 *
 * <p>Why: L1 keeps edges sharp (MSE alone blurs the flat-colour world's object boundaries) and MSE
 * punishes the rare large errors L1 tolerates. The moment term exists because the latent
 * normalisation is fixed (LatentNormalization holds Wan 2.1's statistics, which the decoder undoes
 * and the DiT's noise scale assumes): without it an autoencoder may put its information at any
 * scale and offset, and the DiT would then see latents far from the unit Gaussian its flow-matching
 * noise is drawn from. Zero mean and unit second moment per channel (hence unit variance) in the
 * normalised space is what the DiT expects. There is no KL term: the encoder's mean alone is used
 * (as the inference encoder and the DiT's training data do), so sampling noise would only blur.
 *
 * <p>The contrast weights w (lambda = 0: all 1) exist because in the flat-colour world an object is
 * a few percent of a clip's pixels: with every pixel weighted alike the autoencoder first learns the
 * background and then, for thousands of steps, reconstructs crops without their object. A pixel's
 * weight grows with its distance d_p from the crop's mean colour (over all frames, the mean of the
 * three channels' distances), renormalised to mean 1 so the loss keeps its scale; it depends on the
 * target alone, so it is a constant on the tape. The logged L1 and MSE are the unweighted ones, so
 * runs with and without weighting compare.
 */
final class VaeObjective {
    /** The taped total and the values of its parts (batch means). */
    record Terms(Variable total, double l1, double mse, double moment) {
    }

    private VaeObjective() {
    }

    /**
     * The loss over clips i of recon (decoder outputs), targets and latents (normalised mu), the
     * pixels contrast-weighted by lambda = contrastWeight (0: unweighted) and the reconstruction
     * measured in opponent colour coordinates with the chroma scaled by chromaWeight (0: in RGB; see
     * {@link #opponent}).
     */
    static Terms of(Tape tp, List<Variable> recon, List<Variable> targets, List<Variable> latents, double momentWeight,
                    double contrastWeight, double chromaWeight) {
        Backend be = tp.backend();
        double l1 = 0;
        double mse = 0;
        Variable rec = null;
        for (int i = 0; i < recon.size(); i++) {
            Variable r = recon.get(i);
            Variable t = targets.get(i);
            Variable a = tp.l1Loss(r, t);
            Variable b = tp.mseLoss(r, t);
            l1 += value(be, a);
            mse += value(be, b);
            float[] target = contrastWeight > 0 || chromaWeight > 0 ? be.toFloats(t.value()) : null;
            float[] w = contrastWeight > 0 ? contrastWeights(target, contrastWeight) : null;
            if (chromaWeight > 0) {
                // [3, P] channel planes to [P, 3] pixels, each mixed by the 3x3 opponent matrix (linear: x W^T)
                int pixels = (int) (t.shape().numel() / 3);
                Variable mix = tp.ownedConstant(be.fromFloats(opponent(chromaWeight), Shape.of(3, 3)));
                r = tp.linear(tp.permute(tp.view(r, 3, pixels), 1, 0), mix, null, Activation.NONE);
                t = tp.ownedConstant(be.fromFloats(toOpponent(target, chromaWeight), Shape.of(pixels, 3)));
                w = w == null ? null : pixelsFirst(w);
            }
            if (w != null) {
                // mean w |x' - x| = L1(w x', w x) and mean w (x' - x)^2 = MSE(sqrt(w) x', sqrt(w) x), as w > 0
                float[] root = new float[w.length];
                for (int k = 0; k < w.length; k++) {
                    root[k] = (float) Math.sqrt(w[k]);
                }
                Shape shape = t.shape();
                Variable wt = tp.ownedConstant(be.fromFloats(w, shape));
                Variable rt = tp.ownedConstant(be.fromFloats(root, shape));
                a = tp.l1Loss(tp.mul(r, wt), tp.mul(t, wt));
                b = tp.mseLoss(tp.mul(r, rt), tp.mul(t, rt));
            } else if (chromaWeight > 0) {
                a = tp.l1Loss(r, t);
                b = tp.mseLoss(r, t);
            }
            Variable both = tp.add(a, b);
            rec = rec == null ? both : tp.add(rec, both);
        }
        int n = recon.size();
        Variable total = scale(tp, rec, 1.0 / n);
        double moment = 0;
        if (momentWeight > 0) {
            Variable z = latents.size() == 1 ? latents.get(0) : tp.concat(1, latents.toArray(Variable[]::new));
            int c = z.shape().dim(0);
            int per = (int) (z.shape().numel() / c);
            Variable flat = tp.view(z, c, per);
            float[] avg = new float[per];
            java.util.Arrays.fill(avg, 1f / per);
            Variable mean = tp.ownedConstant(be.fromFloats(avg, Shape.of(1, per)));
            Variable m = tp.linear(flat, mean, null, Activation.NONE);
            Variable s = tp.linear(tp.mul(flat, flat), mean, null, Activation.NONE);
            float[] ones = new float[c];
            java.util.Arrays.fill(ones, 1f);
            Variable meanTerm = tp.mseLoss(m, tp.ownedConstant(be.zeros(DType.F32, Shape.of(c, 1))));
            Variable scaleTerm = tp.mseLoss(s, tp.ownedConstant(be.fromFloats(ones, Shape.of(c, 1))));
            Variable mom = tp.add(meanTerm, scaleTerm);
            moment = value(be, mom);
            total = tp.add(total, scale(tp, mom, momentWeight));
        }
        return new Terms(total, l1 / n, mse / n, moment);
    }

    /**
     * The contrast weights w of a target clip [C, T, H, W] (channels first), one per element: the
     * pixel's weight repeated over its C channels.
     */
    static float[] contrastWeights(float[] x, double lambda) {
        int c = 3;
        int per = x.length / c;
        double[] mean = new double[c];
        for (int ch = 0; ch < c; ch++) {
            for (int p = 0; p < per; p++) {
                mean[ch] += x[ch * per + p];
            }
            mean[ch] /= per;
        }
        double[] w = new double[per];
        double sum = 0;
        for (int p = 0; p < per; p++) {
            double d = 0;
            for (int ch = 0; ch < c; ch++) {
                d += Math.abs(x[ch * per + p] - mean[ch]);
            }
            w[p] = 1 + lambda * d / c;
            sum += w[p];
        }
        float[] out = new float[x.length];
        for (int p = 0; p < per; p++) {
            float v = (float) (w[p] * per / sum);
            for (int ch = 0; ch < c; ch++) {
                out[ch * per + p] = v;
            }
        }
        return out;
    }

    /**
     * The opponent colour matrix, rows luma Y = (R + G + B) / 3, red-green a (R - G) / 2 and
     * yellow-blue a ((R + G) / 2 - B) / 2, row-major [3, 3], with a = chroma weight.
     *
     * <p>Why: in the world, hue exists only in the objects, and with errors measured per RGB channel
     * our VAEs learned the objects' luminance and gave them no hue at all (the per-channel L1 optimum
     * of a decoder that cannot yet tell the hues apart is their median, a gray). Measuring the chroma
     * apart and scaling it makes a wrong hue cost a times more than in RGB.
     */
    static float[] opponent(double a) {
        float third = 1f / 3;
        return new float[] {third, third, third, (float) (a / 2), (float) (-a / 2), 0, (float) (a / 4), (float) (a / 4), (float) (-a / 2)};
    }

    /** A clip [3, P] (channel planes) in opponent coordinates, pixels first [P, 3]. */
    static float[] toOpponent(float[] x, double a) {
        float[] m = opponent(a);
        int pixels = x.length / 3;
        float[] out = new float[x.length];
        for (int p = 0; p < pixels; p++) {
            for (int k = 0; k < 3; k++) {
                double v = 0;
                for (int c = 0; c < 3; c++) {
                    v += (double) m[3 * k + c] * x[c * pixels + p];
                }
                out[3 * p + k] = (float) v;
            }
        }
        return out;
    }

    /** Per-element weights of channel planes [3, P] rearranged pixels first [P, 3]. */
    private static float[] pixelsFirst(float[] w) {
        int pixels = w.length / 3;
        float[] out = new float[w.length];
        for (int p = 0; p < pixels; p++) {
            for (int c = 0; c < 3; c++) {
                out[3 * p + c] = w[c * pixels + p];
            }
        }
        return out;
    }

    private static Variable scale(Tape tp, Variable v, double c) {
        return c == 1 ? v : tp.mul(v, tp.ownedConstant(tp.backend().fromFloats(new float[] {(float) c}, Shape.of(1))));
    }

    private static double value(Backend be, Variable v) {
        return be.toFloats(v.value())[0];
    }
}
