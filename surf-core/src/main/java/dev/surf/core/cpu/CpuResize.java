package dev.surf.core.cpu;

import dev.surf.core.OpChecks;
import dev.surf.core.ResizeMode;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;

/** Bilinear, area and nearest-exact resizing of the last two dimensions, as torch's F.interpolate. */
final class CpuResize {
    private CpuResize() {
    }

    static Tensor resize(CpuBackend be, Tensor x, int outH, int outW, ResizeMode mode) {
        OpChecks.resize(x, outH, outW, mode);
        int inH = x.dim(-2);
        int inW = x.dim(-1);
        int planes = CpuTensors.checkedInt(x.shape().size(0, x.rank() - 2), "resize");
        Shape outShape = x.shape().with(-2, outH).with(-1, outW);
        float[] in = CpuTensors.f32View(x);
        int inOff = in == CpuTensors.storage(x).floats ? CpuTensors.offset(x) : 0;
        float[] res = new float[CpuTensors.checkedInt(outShape.numel(), "resize")];
        be.pool().forRange(planes, 1, (lo, hi) -> {
            for (int p = lo; p < hi; p++) {
                int ib = inOff + p * inH * inW;
                int ob = p * outH * outW;
                switch (mode) {
                    case BILINEAR -> bilinear(in, ib, inH, inW, res, ob, outH, outW);
                    case AREA -> area(in, ib, inH, inW, res, ob, outH, outW);
                    case NEAREST_EXACT -> nearest(in, ib, inH, inW, res, ob, outH, outW);
                }
            }
        });
        Tensor out = be.wrap(res, outShape);
        if (x.dtype() == out.dtype()) {
            return out;
        }
        try (out) {
            return be.convert(out, x.dtype());
        }
    }

    private static void bilinear(float[] in, int ib, int inH, int inW, float[] out, int ob, int outH, int outW) {
        double sh = (double) inH / outH;
        double sw = (double) inW / outW;
        for (int i = 0; i < outH; i++) {
            double fy = Math.max(0.0, (i + 0.5) * sh - 0.5);
            int y0 = Math.min((int) fy, inH - 1);
            int y1 = Math.min(y0 + 1, inH - 1);
            double ly = fy - y0;
            for (int j = 0; j < outW; j++) {
                double fx = Math.max(0.0, (j + 0.5) * sw - 0.5);
                int x0 = Math.min((int) fx, inW - 1);
                int x1 = Math.min(x0 + 1, inW - 1);
                double lx = fx - x0;
                double top = in[ib + y0 * inW + x0] * (1 - lx) + in[ib + y0 * inW + x1] * lx;
                double bot = in[ib + y1 * inW + x0] * (1 - lx) + in[ib + y1 * inW + x1] * lx;
                out[ob + i * outW + j] = (float) (top * (1 - ly) + bot * ly);
            }
        }
    }

    private static void area(float[] in, int ib, int inH, int inW, float[] out, int ob, int outH, int outW) {
        for (int i = 0; i < outH; i++) {
            int y0 = (int) ((long) i * inH / outH);
            int y1 = (int) (((long) (i + 1) * inH + outH - 1) / outH);
            for (int j = 0; j < outW; j++) {
                int x0 = (int) ((long) j * inW / outW);
                int x1 = (int) (((long) (j + 1) * inW + outW - 1) / outW);
                double s = 0;
                for (int y = y0; y < y1; y++) {
                    for (int xx = x0; xx < x1; xx++) {
                        s += in[ib + y * inW + xx];
                    }
                }
                out[ob + i * outW + j] = (float) (s / ((y1 - y0) * (x1 - x0)));
            }
        }
    }

    private static void nearest(float[] in, int ib, int inH, int inW, float[] out, int ob, int outH, int outW) {
        for (int i = 0; i < outH; i++) {
            int y = Math.min((int) Math.floor((i + 0.5) * inH / outH), inH - 1);
            for (int j = 0; j < outW; j++) {
                int xx = Math.min((int) Math.floor((j + 0.5) * inW / outW), inW - 1);
                out[ob + i * outW + j] = in[ib + y * inW + xx];
            }
        }
    }
}
