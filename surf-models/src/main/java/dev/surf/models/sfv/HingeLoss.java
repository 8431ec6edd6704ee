package dev.surf.models.sfv;

import dev.surf.core.Tensor;
import dev.surf.core.grad.Tape;
import dev.surf.core.grad.Variable;
import java.util.List;

/**
 * The hinge adversarial losses SF-V trains both sides with, averaged over the heads:
 * <pre>L_D = mean_h [ mean relu(1 - D_h(real)) + mean relu(1 + D_h(fake)) ]
 * L_G = - mean_h mean D_h(fake)</pre>
 * The tape has no relu; with m = +1 or -1, mean relu(1 - m x) = (1 - m mean(x) + mean|x - m|) / 2,
 * an identity that holds for every x, so the hinge is built from {@link Tape#mean} and
 * {@link Tape#l1Loss} (whose gradient at the kink x = m is 0, the subgradient torch's relu takes too).
 */
public final class HingeLoss {
    private HingeLoss() {
    }

    /** L_D over the heads' logits on real and on generated latents (one list per side, same heads). */
    public static Variable discriminator(Tape tape, List<Variable> real, List<Variable> fake) {
        if (real.size() != fake.size() || real.isEmpty()) {
            throw new IllegalArgumentException("hinge loss: " + real.size() + " real and " + fake.size()
                    + " fake logit maps; give one per head on each side");
        }
        Variable sum = null;
        for (int h = 0; h < real.size(); h++) {
            Variable term = tape.add(margin(tape, real.get(h), 1), margin(tape, fake.get(h), -1));
            sum = sum == null ? term : tape.add(sum, term);
        }
        return tape.affine(sum, 1f / real.size(), 0);
    }

    /** L_G over the heads' logits on generated latents. */
    public static Variable generator(Tape tape, List<Variable> fake) {
        if (fake.isEmpty()) {
            throw new IllegalArgumentException("hinge loss: no logit maps");
        }
        Variable sum = null;
        for (Variable f : fake) {
            Variable m = tape.mean(f);
            sum = sum == null ? m : tape.add(sum, m);
        }
        return tape.affine(sum, -1f / fake.size(), 0);
    }

    /** mean relu(1 - m x) for m = +1 (real) or -1 (fake). */
    private static Variable margin(Tape tape, Variable x, int m) {
        long n = x.value().numel();
        float[] target = new float[Math.toIntExact(n)];
        java.util.Arrays.fill(target, m);
        Tensor t = tape.backend().fromFloats(target, x.shape());
        Variable dist = tape.l1Loss(x, tape.ownedConstant(t));
        Variable linear = tape.affine(tape.mean(x), -m, 1);
        return tape.affine(tape.add(linear, dist), 0.5f, 0);
    }
}
