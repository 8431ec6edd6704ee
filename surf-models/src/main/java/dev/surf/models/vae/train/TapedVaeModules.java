package dev.surf.models.vae.train;

import dev.surf.core.Activation;
import dev.surf.core.AttentionSpec;
import dev.surf.core.ResizeMode;
import dev.surf.core.Shape;
import dev.surf.core.grad.Tape;
import dev.surf.core.grad.Variable;

/**
 * The Wan-VAE modules (wan/modules/vae.py) recorded on a {@link Tape} over a whole clip at once, for
 * training. Each reads its parameters by official name from {@link VaeTapeParams} and computes what
 * the streaming inference modules ({@code dev.surf.models.vae}) compute chunk by chunk; why the
 * whole-clip form is the same function is said per module. Activations are [C, T, H, W].
 */
final class TapedVaeModules {
    private TapedVaeModules() {
    }

    /**
     * {@code CausalConv3d} with a cube kernel k and padding p: 2p zero frames in front, p on each side
     * of H and W. Over the whole sequence this equals the official chunked evaluation, whose time cache
     * only replaces front zero frames by the previous chunk's frames.
     */
    static Variable causalConv(VaeTapeParams p, String prefix, Variable x, int pad) {
        return p.tape().conv3d(x, p.get(prefix + ".weight"), p.get(prefix + ".bias"), 2 * pad, pad, pad);
    }

    /** RMS_norm then SiLU (every residual branch and both heads). */
    static Variable normSilu(VaeTapeParams p, String gamma, Variable x) {
        Tape t = p.tape();
        return t.activation(t.channelRmsNorm(x, p.get(gamma)), Activation.SILU);
    }

    /**
     * {@code ResidualBlock(in, out)}: residual.0 norm, SiLU, residual.2 conv, residual.3 norm, SiLU,
     * residual.6 conv; plus the input, through the 1x1x1 {@code shortcut} when the widths differ.
     */
    static Variable residual(VaeTapeParams p, String prefix, Variable x, boolean shortcut) {
        Tape t = p.tape();
        Variable h = causalConv(p, prefix + ".residual.2", normSilu(p, prefix + ".residual.0.gamma", x), 1);
        Variable r = causalConv(p, prefix + ".residual.6", normSilu(p, prefix + ".residual.3.gamma", h), 1);
        Variable s = shortcut ? causalConv(p, prefix + ".shortcut", x, 0) : x;
        return t.add(r, s);
    }

    /**
     * {@code AttentionBlock(C)}: one head over the H x W pixels of each frame (frames independent):
     * norm, 1x1 to_qkv, softmax(q k^T / sqrt(C)) v, 1x1 proj, plus the input.
     */
    static Variable attention(VaeTapeParams p, String prefix, Variable x) {
        Tape tp = p.tape();
        int c = x.shape().dim(0);
        int t = x.shape().dim(1);
        int h = x.shape().dim(2);
        int w = x.shape().dim(3);
        int l = h * w;
        Variable n = tp.channelRmsNorm(x, p.get(prefix + ".norm.gamma"));
        Variable qkv = tp.conv3d(n, tp.view(p.get(prefix + ".to_qkv.weight"), 3 * c, c, 1, 1, 1),
                p.get(prefix + ".to_qkv.bias"), 0, 0, 0);
        // [3C, T, HW] -> [3, T, HW, C]: per frame a batch item, pixels as tokens
        Variable tokens = tp.permute(tp.view(qkv, 3, c, t, l), 0, 2, 3, 1);
        Variable q = tp.view(tp.narrow(tokens, 0, 0, 1), t, l, 1, c);
        Variable k = tp.view(tp.narrow(tokens, 0, 1, 1), t, l, 1, c);
        Variable v = tp.view(tp.narrow(tokens, 0, 2, 1), t, l, 1, c);
        Variable a = tp.attention(q, k, v, AttentionSpec.standard(c));
        Variable back = tp.view(tp.permute(tp.view(a, t, l, c), 2, 0, 1), c, t, h, w);
        Variable out = tp.conv3d(back, tp.view(p.get(prefix + ".proj.weight"), c, c, 1, 1, 1), p.get(prefix + ".proj.bias"), 0, 0, 0);
        return tp.add(out, x);
    }

    /**
     * The encoder's {@code Resample} (downsample2d, or downsample3d when temporal). Spatially, per
     * frame, ZeroPad2d (0, 1, 0, 1) and a stride-2 3x3 conv, built as in StridedConv2d: the four
     * (row, column) parity phases of x become channels and the 3x3 kernel, padded to 4x4 with zeros,
     * becomes a 2x2 kernel over them; both rearrangements are taped, so the 3x3 weight gets its
     * gradient. In time, the official stream passes the first frame through and then applies the
     * unpadded stride-2 (3,1,1) {@code time_conv} over [previous chunk's last frame, chunk]; over the
     * whole clip y that is y[0] followed by the windows y[2j-2 .. 2j], j >= 1, i.e. the even frames
     * of the unpadded stride-1 conv.
     */
    static Variable downsample(VaeTapeParams p, String prefix, Variable x, boolean temporal) {
        Tape tp = p.tape();
        Variable y = stridedConv(tp, x, p.get(prefix + ".resample.1.weight"), p.get(prefix + ".resample.1.bias"));
        int frames = y.shape().dim(1);
        if (!temporal || frames == 1) {
            return y;
        }
        Variable all = tp.conv3d(y, p.get(prefix + ".time_conv.weight"), p.get(prefix + ".time_conv.bias"), 0, 0, 0);
        int kept = (all.shape().dim(1) + 1) / 2;
        Variable[] parts = new Variable[1 + kept];
        parts[0] = tp.narrow(y, 1, 0, 1);
        for (int j = 0; j < kept; j++) {
            parts[1 + j] = tp.narrow(all, 1, 2 * j, 1);
        }
        return tp.concat(1, parts);
    }

    /** ZeroPad2d (0, 1, 0, 1) + 3x3 stride-2 conv of x [C, T, H, W] (H, W even) with w [Cout, C, 3, 3]. */
    static Variable stridedConv(Tape tp, Variable x, Variable w, Variable bias) {
        Shape s = x.shape();
        int c = s.dim(0);
        int t = s.dim(1);
        int h2 = s.dim(2) / 2;
        int w2 = s.dim(3) / 2;
        if (s.dim(2) % 2 != 0 || s.dim(3) % 2 != 0) {
            throw new IllegalArgumentException("stride-2 downsampling needs an even frame size, got " + s.dim(3) + "x" + s.dim(2));
        }
        int cout = w.shape().dim(0);
        // kernel [Cout, C, 3, 3] -> [Cout, C, 4, 4] (tap index 3 is zero) -> [o, ci, ah, bh, aw, bw] -> [o, ci, bh, bw, ah, aw]
        Variable rows = tp.concat(2, w, tp.ownedConstant(tp.backend().zeros(dev.surf.core.DType.F32, Shape.of(cout, c, 1, 3))));
        Variable k4 = tp.concat(3, rows, tp.ownedConstant(tp.backend().zeros(dev.surf.core.DType.F32, Shape.of(cout, c, 4, 1))));
        Variable kernel = tp.view(tp.permute(tp.view(k4, cout, c, 2, 2, 2, 2), 0, 1, 3, 5, 2, 4), cout, 4 * c, 1, 2, 2);
        // [C, T, H/2, 2, W/2, 2] -> [C, bh, bw, T, H/2, W/2]: phase channels 4c + 2bh + bw
        Variable phases = tp.view(tp.permute(tp.view(x, c, t, h2, 2, w2, 2), 0, 3, 5, 1, 2, 4), 4 * c, t, h2, w2);
        Variable y = tp.conv3d(phases, kernel, bias, 0, 1, 1);
        return tp.narrow(tp.narrow(y, 2, 1, h2), 3, 1, w2);
    }

    /**
     * The decoder's {@code Resample} (upsample2d, or upsample3d when temporal). In time, the official
     * stream passes the first frame (chunk) through without time_conv ('Rep') and runs the causal
     * (3,1,1) {@code time_conv} C -> 2C over the later frames as if they started the sequence (two
     * zero frames in front of frame 1); each output frame's two halves become two consecutive frames.
     * Then per frame nearest 2x and the 3x3 conv C -> C/2 ({@code resample.1}).
     */
    static Variable upsample(VaeTapeParams p, String prefix, Variable x, boolean temporal) {
        Tape tp = p.tape();
        int c = x.shape().dim(0);
        int t = x.shape().dim(1);
        int h = x.shape().dim(2);
        int w = x.shape().dim(3);
        Variable y = x;
        if (temporal && t > 1) {
            Variable rest = tp.narrow(x, 1, 1, t - 1);
            Variable doubled = tp.conv3d(rest, p.get(prefix + ".time_conv.weight"), p.get(prefix + ".time_conv.bias"), 2, 0, 0);
            // [2C, n, H, W] -> [C, n, 2, H, W] -> [C, 2n, H, W] (the official reshape + stack)
            Variable inter = tp.view(tp.permute(tp.view(doubled, 2, c, t - 1, h, w), 1, 2, 0, 3, 4), c, 2 * (t - 1), h, w);
            y = tp.concat(1, tp.narrow(x, 1, 0, 1), inter);
        }
        Variable up = tp.resize(y, 2 * h, 2 * w, ResizeMode.NEAREST_EXACT);
        return tp.conv3d(up, tp.view(p.get(prefix + ".resample.1.weight"), c / 2, c, 1, 3, 3), p.get(prefix + ".resample.1.bias"), 0, 1, 1);
    }
}
