package dev.surf.core.cpu;

import dev.surf.core.BackwardChecks;
import dev.surf.core.ResizeMode;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;

/**
 * The adjoint of {@link CpuResize}: every resize mode is a fixed linear map per plane, so the input
 * gradient scatters each output gradient back to the input pixels it was read from, with the same
 * weights (bilinear: the four taps; area: the box average; nearest-exact: the one source). Planes
 * are independent and each is scattered in output order, in double.
 */
final class CpuResizeBackward {
    private CpuResizeBackward() {
    }

    static Tensor backward(CpuBackend be, Tensor dy, int inH, int inW, ResizeMode mode) {
        BackwardChecks.resizeBackward(dy, inH, inW, mode);
        int outH = dy.dim(-2);
        int outW = dy.dim(-1);
        int planes = CpuTensors.checkedInt(dy.shape().size(0, dy.rank() - 2), "resizeBackward");
        float[] g = CpuTensors.f32View(dy);
        Shape inShape = dy.shape().with(-2, inH).with(-1, inW);
        float[] dx = new float[CpuTensors.checkedInt(inShape.numel(), "resizeBackward")];
        be.pool().forRange(planes, 1, (lo, hi) -> {
            double[] acc = new double[inH * inW];
            for (int p = lo; p < hi; p++) {
                java.util.Arrays.fill(acc, 0);
                int ob = p * outH * outW;
                for (int i = 0; i < outH; i++) {
                    for (int j = 0; j < outW; j++) {
                        scatter(mode, g[ob + i * outW + j], i, j, inH, inW, outH, outW, acc);
                    }
                }
                int ib = p * inH * inW;
                for (int q = 0; q < acc.length; q++) {
                    dx[ib + q] = (float) acc[q];
                }
            }
        });
        return be.wrap(dx, inShape);
    }

    /** Adds gradient v of output pixel (i, j) to the input pixels it was computed from. */
    private static void scatter(ResizeMode mode, double v, int i, int j, int inH, int inW, int outH, int outW, double[] acc) {
        switch (mode) {
            case BILINEAR -> {
                double fy = Math.max(0.0, (i + 0.5) * ((double) inH / outH) - 0.5);
                int y0 = Math.min((int) fy, inH - 1);
                int y1 = Math.min(y0 + 1, inH - 1);
                double ly = fy - y0;
                double fx = Math.max(0.0, (j + 0.5) * ((double) inW / outW) - 0.5);
                int x0 = Math.min((int) fx, inW - 1);
                int x1 = Math.min(x0 + 1, inW - 1);
                double lx = fx - x0;
                acc[y0 * inW + x0] += v * (1 - ly) * (1 - lx);
                acc[y0 * inW + x1] += v * (1 - ly) * lx;
                acc[y1 * inW + x0] += v * ly * (1 - lx);
                acc[y1 * inW + x1] += v * ly * lx;
            }
            case AREA -> {
                int y0 = (int) ((long) i * inH / outH);
                int y1 = (int) (((long) (i + 1) * inH + outH - 1) / outH);
                int x0 = (int) ((long) j * inW / outW);
                int x1 = (int) (((long) (j + 1) * inW + outW - 1) / outW);
                double share = v / ((y1 - y0) * (x1 - x0));
                for (int y = y0; y < y1; y++) {
                    for (int x = x0; x < x1; x++) {
                        acc[y * inW + x] += share;
                    }
                }
            }
            case NEAREST_EXACT -> {
                int y = Math.min((int) Math.floor((i + 0.5) * inH / outH), inH - 1);
                int x = Math.min((int) Math.floor((j + 0.5) * inW / outW), inW - 1);
                acc[y * inW + x] += v;
            }
        }
    }
}
