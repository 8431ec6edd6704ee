package dev.surf.models.refiner.train;

import dev.surf.core.ResizeMode;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;

/**
 * Resizes a frame with a {@link ResizeFilter}. Bilinear and area are the engine's own CPU resize
 * (torch {@code F.interpolate} semantics, tested there against torch); bicubic, which the engine does
 * not need elsewhere, is here.
 */
final class Resizes {
    /** One thread: the frame loop above is the parallel level, and a 1-thread backend holds no pool. */
    private static final CpuBackend CPU = new CpuBackend(1);

    /** Keys' cubic convolution parameter (Matlab's and PIL's bicubic; torch uses -0.75). */
    static final double CUBIC_A = -0.5;

    private Resizes() {
    }

    /** A new frame of {@code outH x outW}; the same frame when the size does not change. */
    static RgbFrame resize(RgbFrame frame, int outH, int outW, ResizeFilter filter) {
        if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException("resize target must be at least 1x1, got " + outH + "x" + outW);
        }
        if (outH == frame.height() && outW == frame.width()) {
            return frame;
        }
        return switch (filter) {
            case BILINEAR -> engine(frame, outH, outW, ResizeMode.BILINEAR);
            case AREA -> engine(frame, outH, outW, ResizeMode.AREA);
            case BICUBIC -> bicubic(frame, outH, outW);
        };
    }

    private static RgbFrame engine(RgbFrame frame, int outH, int outW, ResizeMode mode) {
        try (Tensor x = CPU.wrap(frame.data().clone(), Shape.of(RgbFrame.CHANNELS, frame.height(), frame.width()));
             Tensor y = CPU.resize(x, outH, outW, mode)) {
            return new RgbFrame(CPU.toFloats(y), outH, outW);
        }
    }

    /** Keys cubic weight of a tap at distance {@code t}. */
    static double cubic(double t) {
        double x = Math.abs(t);
        if (x <= 1) {
            return ((CUBIC_A + 2) * x - (CUBIC_A + 3)) * x * x + 1;
        }
        if (x < 2) {
            return ((CUBIC_A * x - 5 * CUBIC_A) * x + 8 * CUBIC_A) * x - 4 * CUBIC_A;
        }
        return 0;
    }

    private static RgbFrame bicubic(RgbFrame frame, int outH, int outW) {
        int inH = frame.height();
        int inW = frame.width();
        Taps rows = Taps.of(inH, outH);
        Taps cols = Taps.of(inW, outW);
        float[] in = frame.data();
        float[] out = new float[RgbFrame.CHANNELS * outH * outW];
        double[] tmp = new double[inH * outW];
        for (int c = 0; c < RgbFrame.CHANNELS; c++) {
            int ib = c * inH * inW;
            for (int y = 0; y < inH; y++) {
                for (int j = 0; j < outW; j++) {
                    double s = 0;
                    for (int k = 0; k < 4; k++) {
                        s += cols.weight[j * 4 + k] * in[ib + y * inW + cols.index[j * 4 + k]];
                    }
                    tmp[y * outW + j] = s;
                }
            }
            int ob = c * outH * outW;
            for (int i = 0; i < outH; i++) {
                for (int j = 0; j < outW; j++) {
                    double s = 0;
                    for (int k = 0; k < 4; k++) {
                        s += rows.weight[i * 4 + k] * tmp[rows.index[i * 4 + k] * outW + j];
                    }
                    out[ob + i * outW + j] = (float) s;
                }
            }
        }
        return new RgbFrame(out, outH, outW);
    }

    /** The four source indices (clamped to the edge) and weights of every output position on one axis. */
    private record Taps(int[] index, double[] weight) {
        static Taps of(int in, int out) {
            int[] index = new int[out * 4];
            double[] weight = new double[out * 4];
            double scale = (double) in / out;
            for (int i = 0; i < out; i++) {
                // align_corners=false; unlike bilinear, torch does not clamp a cubic source coordinate at 0
                double src = (i + 0.5) * scale - 0.5;
                int i0 = (int) Math.floor(src);
                double t = src - i0;
                for (int k = 0; k < 4; k++) {
                    index[i * 4 + k] = Math.clamp(i0 - 1 + k, 0, in - 1);
                    weight[i * 4 + k] = cubic(t + 1 - k);
                }
            }
            return new Taps(index, weight);
        }
    }
}
