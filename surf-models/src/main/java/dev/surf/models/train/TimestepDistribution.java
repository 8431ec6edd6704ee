package dev.surf.models.train;

import dev.surf.core.Philox;
import dev.surf.core.PhiloxNormal;

/**
 * How a trainer draws the flow time s in (0, 1) of example u (a pure function of the seed and u, so
 * a resumed run draws the same times). Two choices:
 * <ul>
 * <li>{@link #LOGIT_NORMAL}: s = logistic(n), n the standard normal {@code PhiloxNormal.sample(seed, 2u + 1, 0)}
 *     (SD3's logit-normal; what {@link FlowMatchingTrainer} has always drawn);</li>
 * <li>{@link #shiftedUniform(double)}: the SURF Refiner's distribution (docs/refiner.md "Training"):
 *     q uniform in (0, 1), s = k q / (1 + (k - 1) q), the same timestep shift k as the sampler's sigma
 *     grid, so training covers the sigmas inference visits (k = 1: uniform). q is the first word of
 *     the Philox4x32-10 block at counter (2u + 1 low, high, 0, "SHFT") under the seed, (w + 0.5) / 2^32.</li>
 * </ul>
 */
public sealed interface TimestepDistribution {
    /** The logit-normal distribution of SD3 (the default). */
    TimestepDistribution LOGIT_NORMAL = new LogitNormal();

    /** Uniform q pushed through the timestep shift k (k > 0, finite). */
    static TimestepDistribution shiftedUniform(double shift) {
        return new ShiftedUniform(shift);
    }

    /** The flow time of example u, in (0, 1). */
    double sample(long seed, long u);

    /** SD3's logit-normal. */
    record LogitNormal() implements TimestepDistribution {
        @Override
        public double sample(long seed, long u) {
            return (float) (1 / (1 + Math.exp(-PhiloxNormal.sample(seed, 2 * u + 1, 0))));
        }
    }

    /** Uniform through the sampler's timestep shift. */
    record ShiftedUniform(double shift) implements TimestepDistribution {
        /** The counter tag that keeps these draws apart from every other stream under the seed. */
        private static final int TAG = 0x53484654; // "SHFT"

        public ShiftedUniform {
            if (!(shift > 0) || Double.isInfinite(shift)) {
                throw new IllegalArgumentException("timestep shift must be positive and finite, got " + shift);
            }
        }

        @Override
        public double sample(long seed, long u) {
            long c = 2 * u + 1;
            int[] out = new int[4];
            Philox.block((int) c, (int) (c >>> 32), 0, TAG, (int) seed, (int) (seed >>> 32), out);
            double q = ((out[0] & 0xffffffffL) + 0.5) / 4294967296.0;
            return shift * q / (1 + (shift - 1) * q);
        }
    }
}
