package dev.surf.models.sfv;

import dev.surf.core.Tensor;
import dev.surf.core.grad.Tape;
import dev.surf.core.grad.Variable;
import dev.surf.models.wan.WanModel;
import dev.surf.models.wan.WanTrainForward;

/**
 * SF-V's discriminator: a frozen copy of the base DiT as feature extractor with trainable
 * {@link DiscriminatorHeads} on a few of its blocks. A latent (real, or the generator's x0) is first
 * re-noised to a random flow time s, x_s = (1 - s) x0 + s eps (SF-V's noise augmentation: the
 * frozen model only knows noisy inputs, and the noise hides the fine detail a discriminator would
 * otherwise win on at once), then run through the frozen blocks at timestep 1000 s with the prompt's
 * embedding, and the heads score the block outputs. The frozen model's parameters are tape constants:
 * no gradient is computed or kept for them, but gradients do flow through them to the latent, which
 * is how the generator learns from the heads.
 */
public final class SfvDiscriminator {
    private final WanTrainForward frozen;
    private final DiscriminatorHeads heads;

    /** Heads on {@code teacher}'s blocks; the teacher is read, never changed. */
    public SfvDiscriminator(WanModel teacher, DiscriminatorHeads heads) {
        if (heads.config().depth() > teacher.config().numLayers()) {
            throw new IllegalArgumentException("SF-V discriminator: a head reads block " + (heads.config().depth() - 1)
                    + " but the model has " + teacher.config().numLayers() + " blocks");
        }
        this.frozen = new WanTrainForward(teacher, name -> false);
        this.heads = heads;
    }

    public DiscriminatorHeads heads() {
        return heads;
    }

    /**
     * Records the discriminator on {@code latent} [16, F, H, W] re-noised to flow time s with
     * {@code noise} (same shape; not owned) under the prompt embedding {@code context}.
     *
     * @param trainHeads true for the discriminator's own step (head gradients kept), false for the
     *                   generator's (heads are constants)
     */
    public DiscriminatorHeads.Pass judge(Tape tape, Variable latent, float s, Tensor noise, Variable context,
                                         boolean trainHeads) {
        if (!(s >= 0 && s <= 1)) {
            throw new IllegalArgumentException("SF-V discriminator: noise level s must be in [0, 1], got " + s);
        }
        Variable xs = tape.add(tape.affine(latent, 1 - s, 0), tape.affine(tape.constant(noise), s, 0));
        WanTrainForward.Features f = frozen.features(tape, xs, 1000f * s, context, heads.config().depth());
        return heads.logits(tape, f, trainHeads);
    }
}
