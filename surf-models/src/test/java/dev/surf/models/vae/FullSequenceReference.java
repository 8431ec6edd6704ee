package dev.surf.models.vae;

import dev.surf.core.Activation;
import dev.surf.core.AttentionSpec;
import dev.surf.core.Backend;
import dev.surf.core.ResizeMode;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.safetensors.WeightStore;
import java.util.ArrayList;
import java.util.List;

/**
 * An independent whole-video Wan-VAE decoder written from spec/wan21.md §4.4's "full-sequence
 * equivalent": every causal convolution runs once over all frames with two leading zero frames, and
 * each upsample3d keeps frame 0 and applies its time convolution to frames 1.. only. It shares no
 * code with the streaming decoder beyond Backend ops, and reads the weights by official name from
 * the store (layout of the fixture: 3 residual blocks per level, upsamplers at 3, 7 and 11).
 */
final class FullSequenceReference {
    private final Backend be;
    private final WeightStore store;
    private final List<Tensor> weights = new ArrayList<>();

    FullSequenceReference(Backend be, WeightStore store) {
        this.be = be;
        this.store = store;
    }

    private Tensor w(String name) throws Exception {
        Tensor t = store.load(be, name, null);
        weights.add(t);
        return t;
    }

    /** The raw (unclamped) video of normalised latents z [16, T, h, w]. */
    Tensor decode(Tensor z) throws Exception {
        int c = z.dim(0);
        int t = z.dim(1);
        int hw = z.dim(2) * z.dim(3);
        float[] v = be.toFloats(z);
        for (int ch = 0; ch < c; ch++) {
            float inv = 1f / LatentNormalization.STD[ch];
            for (int i = 0; i < t * hw; i++) {
                v[ch * t * hw + i] = v[ch * t * hw + i] / inv + LatentNormalization.MEAN[ch];
            }
        }
        Tensor x = be.fromFloats(v, z.shape());
        x = next(x, conv("conv2", x, 0, 0));
        x = next(x, conv("decoder.conv1", x, 2, 1));
        x = next(x, residual("decoder.middle.0", x));
        x = next(x, attention("decoder.middle.1", x));
        x = next(x, residual("decoder.middle.2", x));
        for (int i = 0; i < 15; i++) {
            String p = "decoder.upsamples." + i;
            if (i == 3 || i == 7) {
                x = next(x, upsample3d(p, x));
            } else if (i == 11) {
                x = next(x, upsample2d(p, x));
            } else {
                x = next(x, residual(p, x));
            }
        }
        try (Tensor n = be.channelRmsNorm(x, w("decoder.head.0.gamma")); Tensor a = be.activation(n, Activation.SILU)) {
            x = next(x, conv("decoder.head.2", a, 2, 1));
        }
        for (Tensor wt : weights) {
            wt.close();
        }
        weights.clear();
        return x;
    }

    private static Tensor next(Tensor old, Tensor x) {
        old.close();
        return x;
    }

    private Tensor conv(String p, Tensor x, int front, int pad) throws Exception {
        Tensor wt = w(p + ".weight");
        Tensor w5 = wt.rank() == 5 ? wt : wt.view(wt.dim(0), wt.dim(1), 1, wt.dim(2), wt.dim(3));
        return be.conv3d(x, w5, w(p + ".bias"), front, pad, pad);
    }

    private Tensor residual(String p, Tensor x) throws Exception {
        Tensor h;
        try (Tensor n = be.channelRmsNorm(x, w(p + ".residual.0.gamma")); Tensor a = be.activation(n, Activation.SILU)) {
            h = conv(p + ".residual.2", a, 2, 1);
        }
        try (Tensor h1 = h; Tensor n = be.channelRmsNorm(h1, w(p + ".residual.3.gamma"));
             Tensor a = be.activation(n, Activation.SILU)) {
            h = conv(p + ".residual.6", a, 2, 1);
        }
        if (store.has(p + ".shortcut.weight")) {
            try (Tensor s = conv(p + ".shortcut", x, 0, 0); Tensor h1 = h) {
                return be.add(h1, s);
            }
        }
        try (Tensor h1 = h) {
            return be.add(h1, x);
        }
    }

    /** Per frame: tokens are pixels, one head of C channels; computed frame by frame here. */
    private Tensor attention(String p, Tensor x) throws Exception {
        int c = x.dim(0);
        int t = x.dim(1);
        int h = x.dim(2);
        int wd = x.dim(3);
        List<Tensor> frames = new ArrayList<>();
        for (int f = 0; f < t; f++) {
            try (Tensor xf = be.narrow(x, 1, f, 1); Tensor n = be.channelRmsNorm(xf, w(p + ".norm.gamma"));
                 Tensor qkv = conv(p + ".to_qkv", n, 0, 0);
                 Tensor q = be.permute(be.narrow(qkv, 0, 0, c).view(c, h * wd), 1, 0);
                 Tensor k = be.permute(be.narrow(qkv, 0, c, c).view(c, h * wd), 1, 0);
                 Tensor v = be.permute(be.narrow(qkv, 0, 2 * c, c).view(c, h * wd), 1, 0);
                 Tensor a = be.attention(q.view(1, h * wd, 1, c), k.view(1, h * wd, 1, c), v.view(1, h * wd, 1, c),
                         AttentionSpec.standard(c));
                 Tensor back = be.permute(a.view(h * wd, c), 1, 0);
                 Tensor o = conv(p + ".proj", back.view(c, 1, h, wd), 0, 0)) {
                frames.add(be.add(o, xf));
            }
        }
        try {
            return be.concat(1, frames.toArray(Tensor[]::new));
        } finally {
            frames.forEach(Tensor::close);
        }
    }

    /** u_0 passes; time_conv over u_1..u_{T-1} causally; y_j[0:C] then y_j[C:2C]; then the spatial step. */
    private Tensor upsample3d(String p, Tensor x) throws Exception {
        int c = x.dim(0);
        int t = x.dim(1);
        List<Tensor> seq = new ArrayList<>();
        seq.add(be.narrow(x, 1, 0, 1));
        if (t > 1) {
            try (Tensor rest = be.narrow(x, 1, 1, t - 1); Tensor y = conv(p + ".time_conv", rest, 2, 0)) {
                for (int j = 0; j < t - 1; j++) {
                    try (Tensor yj = be.narrow(y, 1, j, 1)) {
                        seq.add(be.narrow(yj, 0, 0, c));
                        seq.add(be.narrow(yj, 0, c, c));
                    }
                }
            }
        }
        try (Tensor all = be.concat(1, seq.toArray(Tensor[]::new))) {
            return upsample2d(p, all);
        } finally {
            seq.forEach(Tensor::close);
        }
    }

    private Tensor upsample2d(String p, Tensor x) throws Exception {
        try (Tensor up = be.resize(x, 2 * x.dim(2), 2 * x.dim(3), ResizeMode.NEAREST_EXACT)) {
            return conv(p + ".resample.1", up, 0, 1);
        }
    }

    static Shape videoShape(Tensor z) {
        return Shape.of(3, 1 + 4 * (z.dim(1) - 1), 8 * z.dim(2), 8 * z.dim(3));
    }
}
