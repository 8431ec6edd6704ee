package dev.surf.models.sfv;

import dev.surf.core.grad.Tape;
import dev.surf.core.grad.Variable;
import dev.surf.models.sched.FlowSchedule;
import dev.surf.models.wan.WanTrainForward;
import java.util.Map;

/**
 * The one-step generator's map from noise to a clean latent, exactly as the engine's sampler takes
 * it with {@code --steps 1}: the one-step UniPC schedule starts at sigma0 = shift(1 - 1/1000) (the
 * official sigma_max, shifted), evaluates the model once at its timestep t0 (the official whole-number timestep, 999) and, with
 * sigma 0 as the final point, returns the predicted x0 = x - sigma0 v. Training the generator on
 * this same (sigma0, t0) is what makes the trained weights sample correctly with the stock sampler
 * (OneStepTest checks the identity against the sampler), so SF-V needs no solver of its own.
 */
public final class OneStep {
    private final float sigma;
    private final float timestep;

    /** The one-step point of the UniPC schedule with this timestep shift. */
    public OneStep(double shift) {
        FlowSchedule s = FlowSchedule.unipc(1, shift);
        this.sigma = s.solverSigma(0);
        this.timestep = s.modelTimestep(0);
    }

    /** sigma0, the noise level the single step starts from. */
    public float sigma() {
        return sigma;
    }

    /** t0, the timestep the model is evaluated at. */
    public float timestep() {
        return timestep;
    }

    /**
     * One recorded one-step sample.
     *
     * @param x0         the predicted clean latent
     * @param parameters the generator's parameter variables (their gradients after a backward)
     */
    public record Sample(Variable x0, Map<String, Variable> parameters) {
    }

    /** Records x0 = noise - sigma0 v(noise, t0, context) with the generator's forward. */
    public Sample sample(Tape tape, WanTrainForward generator, Variable noise, Variable context) {
        WanTrainForward.Pass pass = generator.forward(tape, noise, timestep, context);
        return new Sample(tape.add(noise, tape.affine(pass.out(), -sigma, 0)), pass.parameters());
    }
}
