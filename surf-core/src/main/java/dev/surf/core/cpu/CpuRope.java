package dev.surf.core.cpu;

import dev.surf.core.OpChecks;
import dev.surf.core.Tensor;

/** Rotary position embedding with interleaved pairs (x[2j], x[2j+1]), as Wan applies it. */
final class CpuRope {
    private CpuRope() {
    }

    static Tensor rope(CpuBackend be, Tensor x, Tensor cos, Tensor sin) {
        OpChecks.rope(x, cos, sin);
        int b = x.dim(0);
        int l = x.dim(1);
        int h = x.dim(2);
        int d = x.dim(3);
        int half = d / 2;
        float[] c = CpuTensors.f32View(cos);
        float[] s = CpuTensors.f32View(sin);
        float[] in = CpuTensors.f32View(x);
        Tensor out = be.zeros(x.dtype(), x.shape());
        float[] o = CpuTensors.isHeapF32(out) ? CpuTensors.array(out) : new float[(int) x.numel()];
        be.pool().forRange(b * l, 64, (lo, hi) -> {
            for (int bl = lo; bl < hi; bl++) {
                int tok = bl % l;
                int cb = tok * half;
                for (int head = 0; head < h; head++) {
                    int base = (bl * h + head) * d;
                    for (int j = 0; j < half; j++) {
                        float x0 = in[base + 2 * j];
                        float x1 = in[base + 2 * j + 1];
                        float cj = c[cb + j];
                        float sj = s[cb + j];
                        o[base + 2 * j] = x0 * cj - x1 * sj;
                        o[base + 2 * j + 1] = x0 * sj + x1 * cj;
                    }
                }
            }
        });
        if (!CpuTensors.isHeapF32(out)) {
            var seg = CpuTensors.segment(out);
            for (int i = 0; i < o.length; i++) {
                CpuTensors.set(seg, out.dtype(), i, o[i]);
            }
        }
        return out;
    }
}
