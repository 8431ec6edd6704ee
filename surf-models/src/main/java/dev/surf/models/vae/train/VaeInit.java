package dev.surf.models.vae.train;

import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.models.weights.WeightSource;

/**
 * The initial weights of a Wan-VAE trained from scratch, by official name and seed: RMS-norm gains
 * ({@code *.gamma}) 1, biases N(0, 0.1^2), convolution kernels N(0, 1 / fan_in) with fan_in = in
 * channels x kernel volume (LeCun normal: each conv keeps unit-scale activations, and every residual
 * branch and head starts with an RMS norm, so depth does not compound). Biases are not zero because a
 * flat black input would then give all-zero features, and the RMS norm's gradient at the zero vector
 * is 1/eps (1e12): one black clip would swamp every other gradient. Unlike RandomWeights (meant for
 * inference speed work), no gain is random: a random-sign gain starts a channel inverted. A value
 * depends only on (seed, name), not on load order or device.
 */
public final class VaeInit implements WeightSource {
    private static final double BIAS_STD = 0.1;
    private final long seed;
    private final boolean zeroBranches;

    /** LeCun-normal everywhere (the branches start random). */
    public VaeInit(long seed) {
        this(seed, false);
    }

    /**
     * @param zeroBranches start every residual branch's last convolution ({@code *.residual.6.*}) and
     *                     every attention block's output projection ({@code *.proj.*}) at zero, so
     *                     each block starts as the identity (see {@link #isZeroedBranch})
     */
    public VaeInit(long seed, boolean zeroBranches) {
        this.seed = seed;
        this.zeroBranches = zeroBranches;
    }

    /**
     * Whether a weight is the output of a residual branch, zeroed by the zero-branch init. Why: with
     * random branches the tiny VAE's 20-odd residual blocks each add a random function of the input,
     * and Adam at a rate that keeps it stable (3e-4) needs thousands of steps to undo them: our first
     * runs could not reproduce flat colours after 300 steps. With zero branches the network starts as
     * the short chain of convolutions, resamplings and norms between the blocks, and every block's
     * gradient still flows (its last conv sees a non-zero input).
     */
    static boolean isZeroedBranch(String name) {
        return name.contains(".residual.6.") || name.contains(".proj.");
    }

    @Override
    public boolean has(String name) {
        return true;
    }

    @Override
    public Tensor load(Backend be, String name, Shape expected, DType use) {
        if (name.endsWith(".gamma")) {
            float[] ones = new float[(int) expected.numel()];
            java.util.Arrays.fill(ones, 1f);
            return be.fromFloats(ones, expected);
        }
        if (zeroBranches && isZeroedBranch(name)) {
            return be.zeros(DType.F32, expected);
        }
        Tensor t = be.empty(DType.F32, expected);
        be.fillNormal(t, seed, offsetOf(name));
        double std = name.endsWith(".bias") ? BIAS_STD : 1 / Math.sqrt((double) expected.numel() / expected.dim(0));
        be.combineInto(t, new float[] {(float) std}, t);
        return t;
    }

    /** A Philox offset from the name: its hash spread over 64 bits (golden-ratio multiplier), far apart per name. */
    private static long offsetOf(String name) {
        return name.hashCode() * 0x9E3779B97F4A7C15L;
    }

    @Override
    public String describe() {
        return "VAE training init (gains 1, biases N(0, 0.01), LeCun-normal kernels" + (zeroBranches ? ", residual branches and"
                + " attention outputs zero" : "") + "), seed " + seed;
    }

    @Override
    public boolean isRandom() {
        return true;
    }

    @Override
    public void close() {
    }
}
