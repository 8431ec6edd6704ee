package dev.surf.models.flops;

import dev.surf.core.TimeWindow;
import dev.surf.models.vae.WanVaeConfig;
import dev.surf.models.wan.WanConfig;

/**
 * The engine's one FLOP model (spec/wan21.md §2.8): per block, with L video tokens, dim d, FFN width
 * f and text length n,
 * <pre>
 *   self-attention projections   8 L d^2
 *   self-attention scores + AV   4 d * (sum over queries of the keys they see)   = 4 L^2 d when global
 *   cross-attention q, o         4 L d^2
 *   cross-attention k, v         4 n d^2
 *   cross-attention scores + AV  4 L n d
 *   FFN                          4 L d f
 * </pre>
 * plus, once per forward, the patch embedding, text embedding, time MLP and head GEMMs, and an
 * elementwise estimate ("other": about 60 operations per token and channel per block for the three
 * norms, modulation, RoPE, GELU and residual updates). Cross-attention k and v are counted per forward
 * as the official code computes them; this engine computes them once per prompt.
 */
public final class FlopModel {
    private static final double ELEMENTWISE_PER_BLOCK = 60;

    private FlopModel() {
    }

    /**
     * One forward of a model with the given config on a latent of frames x height x width (latent
     * units), with self-attention windowed over windowFrames latent frames (0 = global).
     */
    public static ForwardFlops forward(WanConfig c, int frames, int height, int width, int windowFrames) {
        int fp = frames / c.patchT();
        int hp = height / c.patchH();
        int wp = width / c.patchW();
        double tpf = (double) hp * wp;
        double l = fp * tpf;
        double d = c.dim();
        double n = c.textLen();
        double keysSeen = windowFrames == 0 ? l * l : windowedPairs(fp, hp * wp, windowFrames, c.numLayers());
        double selfScores = 4 * d * keysSeen; // averaged over block parities when windowed
        double attention = c.numLayers() * (selfScores + 4 * l * n * d);
        double blockLinear = 8 * l * d * d + 4 * l * d * d + 4 * n * d * d + 4 * l * d * c.ffnDim();
        double embed = 2 * l * c.patchSize() * d                        // patch embedding
                + 2 * n * (c.textDim() * d + d * d)                       // text embedding
                + 2 * (c.freqDim() * d + d * d + d * 6 * d)               // time MLP and projection
                + 2 * l * d * c.outDim() * c.patchT() * c.patchH() * c.patchW(); // head
        double linear = c.numLayers() * blockLinear + embed;
        double other = c.numLayers() * ELEMENTWISE_PER_BLOCK * l * d;
        return new ForwardFlops(attention, linear, other);
    }

    /** Query-key pairs of windowed self-attention, averaged over the even (plain) and odd (shifted) blocks. */
    static double windowedPairs(int frames, int tokensPerFrame, int windowFrames, int layers) {
        double even = pairs(new TimeWindow(frames, tokensPerFrame, windowFrames, 0));
        double odd = pairs(new TimeWindow(frames, tokensPerFrame, windowFrames, windowFrames / 2));
        int evenBlocks = (layers + 1) / 2;
        int oddBlocks = layers / 2;
        return (even * evenBlocks + odd * oddBlocks) / layers;
    }

    private static double pairs(TimeWindow w) {
        double s = 0;
        for (int f = 0; f < w.frames(); f++) {
            s += (double) (w.keyFrameEnd(f) - w.keyFrameStart(f)) * w.tokensPerFrame() * w.tokensPerFrame();
        }
        return s;
    }

    /**
     * FLOPs of a Wan-VAE decode of latentFrames x height x width latents as the official code computes
     * them (2 per multiply-add): every convolution over all its taps, the zero frames of the causal
     * padding included (the official CausalConv3d pads, then convolves), and the middle attention (its
     * 1x1 qkv and output convolutions and, per frame of L = height x width pixels and C channels, 4 L^2 C
     * for the scores and AV). Norms, SiLU, upsampling and residual adds are not counted. Latent frame i
     * is decoded as one chunk: to 1 frame for i = 0 (a temporal upsampler skips its time conv then),
     * else each temporal upsampler doubles the chunk's frames.
     */
    public static double vaeDecode(WanVaeConfig c, int latentFrames, int height, int width) {
        int[] dims = c.decoderDims();
        int levels = dims.length - 1;
        double total = 0;
        for (int i = 0; i < latentFrames; i++) {
            boolean first = i == 0;
            double n = 1;
            double px = (double) height * width;
            total += conv(c.zDim(), c.zDim(), 1, n * px);                         // conv2
            total += conv(c.zDim(), dims[0], 27, n * px);                         // decoder.conv1
            total += 4 * conv(dims[0], dims[0], 27, n * px);                      // middle residual blocks
            total += n * (conv(dims[0], 4 * dims[0], 1, px) + 4 * px * px * dims[0]); // middle attention
            int in = dims[0];
            for (int level = 0; level < levels; level++) {
                int out = dims[level + 1];
                for (int r = 0; r <= c.numResBlocks(); r++) {
                    total += conv(in, out, 27, n * px) + conv(out, out, 27, n * px) + (in != out ? conv(in, out, 1, n * px) : 0);
                    in = out;
                }
                if (level != levels - 1) {
                    if (c.temporalUpsample(level) && !first) {
                        total += conv(out, 2 * out, 3, n * px);                   // time_conv (3, 1, 1)
                        n *= 2;
                    }
                    px *= 4;
                    total += conv(out, out / 2, 9, n * px);                       // 3x3 after nearest 2x
                    in = out / 2;
                }
            }
            total += conv(in, 3, 27, n * px);                                     // head
        }
        return total;
    }

    private static double conv(int cin, int cout, int taps, double positions) {
        return 2.0 * cin * cout * taps * positions;
    }

    /** FLOPs of sampling: steps forwards, doubled when classifier-free guidance runs an unconditional pass. */
    public static ForwardFlops sampling(ForwardFlops perForward, int steps, boolean guided) {
        return perForward.times((double) steps * (guided ? 2 : 1));
    }
}
