package dev.surf.core.cpu;

import dev.surf.core.DType;
import dev.surf.core.OpChecks;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import java.lang.foreign.MemorySegment;

/** Dtype conversion, axis permutation and concatenation on the CPU. */
final class CpuCopy {
    private CpuCopy() {
    }

    static Tensor convert(CpuBackend be, Tensor x, DType to) {
        OpChecks.convert(x, to);
        Tensor out = be.zeros(to, x.shape());
        if (x.dtype() == to) {
            be.copy(x, out);
            return out;
        }
        MemorySegment src = CpuTensors.segment(x);
        MemorySegment dst = CpuTensors.segment(out);
        DType from = x.dtype();
        int n = CpuTensors.checkedInt(x.numel(), "convert");
        if (!from.isFloating() && !to.isFloating()) {
            be.pool().forRange(n, 1 << 14, (lo, hi) -> {
                for (int i = lo; i < hi; i++) {
                    long v = from == DType.I64 ? src.get(CpuTensors.I64, i * 8L) : src.get(CpuTensors.I32, i * 4L);
                    if (to == DType.I64) {
                        dst.set(CpuTensors.I64, i * 8L, v);
                    } else {
                        dst.set(CpuTensors.I32, i * 4L, Math.toIntExact(v));
                    }
                }
            });
            return out;
        }
        be.pool().forRange(n, 1 << 14, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                CpuTensors.set(dst, to, i, CpuTensors.get(src, from, i));
            }
        });
        return out;
    }

    static Tensor permute(CpuBackend be, Tensor x, int[] axes) {
        int r = x.rank();
        int[] outDims = OpChecks.permute(x, axes);
        Shape outShape = Shape.of(outDims);
        Tensor out = be.zeros(x.dtype(), outShape);
        long[] inStrides = x.shape().strides();
        long[] srcStride = new long[r];
        for (int i = 0; i < r; i++) {
            srcStride[i] = inStrides[axes[i]];
        }
        int es = x.dtype().byteSize();
        MemorySegment src = CpuTensors.segment(x);
        MemorySegment dst = CpuTensors.segment(out);
        int last = r == 0 ? 1 : outDims[r - 1];
        long lastStride = r == 0 ? 0 : srcStride[r - 1];
        int outer = CpuTensors.checkedInt(outShape.numel() / Math.max(1, last), "permute");
        if (last == 0) {
            return out;
        }
        boolean f32 = CpuTensors.isHeapF32(x) && CpuTensors.isHeapF32(out);
        be.pool().forRange(outer, 256, (lo, hi) -> {
            int[] idx = new int[r];
            for (int row = lo; row < hi; row++) {
                // decompose the row index over the leading output dims
                long rem = row;
                long base = 0;
                for (int d = r - 2; d >= 0; d--) {
                    idx[d] = (int) (rem % outDims[d]);
                    rem /= outDims[d];
                    base += idx[d] * srcStride[d];
                }
                long o = (long) row * last;
                if (f32) {
                    float[] a = CpuTensors.array(x);
                    float[] b = CpuTensors.array(out);
                    int ao = CpuTensors.offset(x);
                    for (int j = 0; j < last; j++) {
                        b[(int) (o + j)] = a[ao + (int) (base + j * lastStride)];
                    }
                } else {
                    for (int j = 0; j < last; j++) {
                        MemorySegment.copy(src, (base + j * lastStride) * es, dst, (o + j) * es, es);
                    }
                }
            }
        });
        return out;
    }

    static Tensor concat(CpuBackend be, int axis, Tensor[] parts) {
        int ax = OpChecks.concat(axis, parts);
        Tensor first = parts[0];
        int r = first.rank();
        int total = 0;
        for (Tensor p : parts) {
            total += p.dim(ax);
        }
        Tensor out = be.zeros(first.dtype(), first.shape().with(ax, total));
        long outer = first.shape().size(0, ax);
        long inner = first.shape().size(ax + 1, r) * first.dtype().byteSize();
        MemorySegment dst = CpuTensors.segment(out);
        long outRow = total * inner;
        long at = 0;
        for (Tensor p : parts) {
            MemorySegment src = CpuTensors.segment(p);
            long chunk = p.dim(ax) * inner;
            for (long o = 0; o < outer; o++) {
                MemorySegment.copy(src, o * chunk, dst, o * outRow + at, chunk);
            }
            at += chunk;
        }
        return out;
    }
}
