package dev.surf.core.cpu;

import dev.surf.core.AttentionSpec;
import dev.surf.core.Tensor;
import dev.surf.core.TimeWindow;

/** Softmax attention with key-length mask, additive bias and time windows. Straightforward version. */
final class CpuAttention {
    private CpuAttention() {
    }

    static Tensor attention(CpuBackend be, Tensor q, Tensor k, Tensor v, AttentionSpec spec) {
        int b = q.dim(0);
        int lq = q.dim(1);
        int h = q.dim(2);
        int d = q.dim(3);
        int lk = k.dim(1);
        int dv = v.dim(3);
        float[] qa = CpuTensors.toF32(q);
        float[] ka = CpuTensors.toF32(k);
        float[] va = CpuTensors.toF32(v);
        float[] bias = spec.bias() == null ? null : CpuTensors.toF32(spec.bias());
        TimeWindow win = spec.window();
        float[] out = new float[b * lq * h * dv];
        be.pool().forRange(b * h * lq, 16, (lo, hi) -> {
            float[] p = new float[lk];
            for (int idx = lo; idx < hi; idx++) {
                int i = idx % lq;
                int hh = (idx / lq) % h;
                int bb = idx / (lq * h);
                int kEnd = spec.keyLengths() == null ? lk : Math.min(lk, spec.keyLengths()[bb]);
                int kStart = 0;
                if (win != null) {
                    int f = i / win.tokensPerFrame();
                    kStart = win.keyFrameStart(f) * win.tokensPerFrame();
                    kEnd = Math.min(kEnd, win.keyFrameEnd(f) * win.tokensPerFrame());
                }
                double max = Double.NEGATIVE_INFINITY;
                for (int j = kStart; j < kEnd; j++) {
                    double s = 0;
                    for (int c = 0; c < d; c++) {
                        s += qa[((bb * lq + i) * h + hh) * d + c] * ka[((bb * lk + j) * h + hh) * d + c];
                    }
                    s *= spec.scale();
                    if (bias != null) {
                        s += bias[(hh * lq + i) * lk + j];
                    }
                    p[j] = (float) s;
                    max = Math.max(max, s);
                }
                double sum = 0;
                for (int j = kStart; j < kEnd; j++) {
                    double e = Math.exp(p[j] - max);
                    p[j] = (float) e;
                    sum += e;
                }
                for (int c = 0; c < dv; c++) {
                    double acc = 0;
                    for (int j = kStart; j < kEnd; j++) {
                        acc += p[j] * va[((bb * lk + j) * h + hh) * dv + c];
                    }
                    out[((bb * lq + i) * h + hh) * dv + c] = kEnd > kStart ? (float) (acc / sum) : 0f;
                }
            }
        });
        return be.wrap(out, q.shape().with(3, dv));
    }
}
