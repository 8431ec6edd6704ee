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
 * loss = mean over clips [ L1(x', x) + MSE(x', x) ]  +  w_moment * M
 * M    = mean_c m_c^2 + mean_c (s_c - 1)^2,   m_c = E[z_c],  s_c = E[z_c^2]
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
 */
final class VaeObjective {
    /** The taped total and the values of its parts (batch means). */
    record Terms(Variable total, double l1, double mse, double moment) {
    }

    private VaeObjective() {
    }

    /** The loss over clips i of recon (decoder outputs), targets and latents (normalised mu). */
    static Terms of(Tape tp, List<Variable> recon, List<Variable> targets, List<Variable> latents, double momentWeight) {
        Backend be = tp.backend();
        double l1 = 0;
        double mse = 0;
        Variable rec = null;
        for (int i = 0; i < recon.size(); i++) {
            Variable a = tp.l1Loss(recon.get(i), targets.get(i));
            Variable b = tp.mseLoss(recon.get(i), targets.get(i));
            l1 += value(be, a);
            mse += value(be, b);
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

    private static Variable scale(Tape tp, Variable v, double c) {
        return c == 1 ? v : tp.mul(v, tp.ownedConstant(tp.backend().fromFloats(new float[] {(float) c}, Shape.of(1))));
    }

    private static double value(Backend be, Variable v) {
        return be.toFloats(v.value())[0];
    }
}
