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
    private final boolean delta;
    /** Scale of the noise on the delta init's kernels, relative to LeCun's. */
    private static final double DELTA_NOISE = 0.1;

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
        this(seed, zeroBranches, false);
    }

    /**
     * @param delta the convolutions outside the residual branches (the chain the signal takes when
     *              every branch is zero: conv1 / conv2, the resamplings and their time convolutions,
     *              the shortcuts, the heads) start as identities at their current tap (see {@link #isChain})
     */
    public VaeInit(long seed, boolean zeroBranches, boolean delta) {
        this.seed = seed;
        this.zeroBranches = zeroBranches;
        this.delta = delta;
    }

    /**
     * Whether a weight belongs to the chain of the delta init: a convolution kernel (rank 4 or 5) not
     * inside a residual branch and not an attention projection. Why: with zero branches the network
     * starts as this chain of about ten convolutions with norms between them, and a chain of random
     * linear maps learns slowly (a saddle); ours could not reproduce 24 flat colours in 300 steps at
     * either width 8 or 16. Started as identities (channel i to channel i mod the input width, or
     * groups of inputs averaged where the width shrinks) at the tap of the current frame and the
     * central pixel, plus N(0, (0.1)^2 / fan_in) on every tap so that channels copied by a widening
     * convolution do not stay equal, the chain starts by passing the colour through.
     */
    static boolean isChain(String name, Shape shape) {
        return name.endsWith(".weight") && (shape.rank() == 4 || shape.rank() == 5) && !name.contains(".residual.")
                && !name.contains(".to_qkv.") && !name.contains(".proj.");
    }

    private Tensor deltaKernel(Backend be, String name, Shape expected) {
        Tensor t = be.empty(DType.F32, expected);
        be.fillNormal(t, seed, offsetOf(name));
        int out = expected.dim(0);
        int in = expected.dim(1);
        int taps = (int) (expected.numel() / ((long) out * in));
        float[] v = be.toFloats(t);
        t.close();
        double std = DELTA_NOISE / Math.sqrt((double) in * taps);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (v[i] * std);
        }
        // the current tap: the last in time (causal), the centre in space
        int kt = expected.rank() == 5 ? expected.dim(2) : 1;
        int kh = expected.dim(expected.rank() - 2);
        int kw = expected.dim(expected.rank() - 1);
        int centre = ((kt - 1) * kh + kh / 2) * kw + kw / 2;
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                double w = out >= in ? (o % in == i ? 1 : 0) : (i % out == o ? (double) out / in : 0);
                v[(o * in + i) * taps + centre] += (float) w;
            }
        }
        return be.fromFloats(v, expected);
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
        if (delta && isChain(name, expected)) {
            return deltaKernel(be, name, expected);
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
                + " attention outputs zero" : "") + (delta ? ", the chain between them identities" : "") + "), seed " + seed;
    }

    @Override
    public boolean isRandom() {
        return true;
    }

    @Override
    public void close() {
    }
}
