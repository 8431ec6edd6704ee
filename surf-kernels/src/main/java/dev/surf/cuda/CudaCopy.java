package dev.surf.cuda;

import dev.surf.core.OpChecks;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;

/**
 * Axis permutation (a tiled transpose where the permutation is one, else the generic gather),
 * concatenation, narrowing and row gathers (cuda/copy.cu); CPU reference: CpuCopy, CpuNarrow, CpuEmbedding.
 */
final class CudaCopy {
    private final CudaRuntime rt;

    CudaCopy(CudaRuntime rt) {
        this.rt = rt;
    }

    Tensor permute(Tensor x, int[] axes) {
        int r = x.rank();
        int[] outDims = OpChecks.permute(x, axes);
        long xa = rt.addr(x);
        Tensor out = rt.alloc(x.dtype(), Shape.of(outDims));
        long n = out.numel();
        if (n == 0) {
            return out;
        }
        int[] t = x.dtype().byteSize() == 2 || x.dtype().byteSize() == 4 ? batchedTranspose(x.shape(), axes) : null;
        if (t != null) {
            rt.launch(rt.kernel("copy", "transpose_tiles"), (t[2] + 31) / 32, (t[1] + 31) / 32, t[0], 256, 0,
                    xa, rt.addr(out), t[1], t[2], x.dtype().byteSize());
            return out;
        }
        long[] inStrides = x.shape().strides();
        ParamStruct p = new ParamStruct().ptr(xa).ptr(rt.addr(out)).i64(n);
        for (int i = 0; i < 8; i++) {
            p.i64(i < r ? outDims[i] : 1);
        }
        for (int i = 0; i < 8; i++) {
            p.i64(i < r ? inStrides[axes[i]] : 0);
        }
        p.i32(r).i32(x.dtype().byteSize());
        rt.launch(rt.kernel("copy", "permute"), rt.gridFor(n, 256), 1, 1, 256, 0, (Object) p.bytes(160));
        return out;
    }

    Tensor concat(int axis, Tensor[] parts) {
        int ax = OpChecks.concat(axis, parts);
        Tensor first = parts[0];
        int r = first.rank();
        long total = 0;
        for (Tensor p : parts) {
            total += p.dim(ax);
            rt.addr(p);
        }
        Tensor out = rt.alloc(first.dtype(), first.shape().with(ax, (int) total));
        long outer = first.shape().size(0, ax);
        long inner = first.shape().size(ax + 1, r) * first.dtype().byteSize();
        long outRow = total * inner;
        long dst = rt.addr(out);
        long at = 0;
        for (Tensor p : parts) {
            long chunk = p.dim(ax) * inner;
            if (chunk > 0 && outer > 0) {
                long src = rt.addr(p);
                copyRows(src, dst, outer, chunk, chunk, 0, outRow, at);
            }
            at += chunk;
        }
        return out;
    }

    /** CpuNarrow's semantics: a contiguous copy of [start, start + length) along axis. */
    Tensor narrow(Tensor x, int axis, int start, int length) {
        int ax = OpChecks.narrow(x, axis, start, length);
        int r = x.rank();
        long src = rt.addr(x);
        Tensor out = rt.alloc(x.dtype(), x.shape().with(ax, length));
        long outer = x.shape().size(0, ax);
        long inner = x.shape().size(ax + 1, r) * x.dtype().byteSize();
        long chunk = length * inner;
        if (chunk > 0 && outer > 0) {
            copyRows(src, rt.addr(out), outer, chunk, x.dim(ax) * inner, start * inner, chunk, 0);
        }
        return out;
    }

    /**
     * {N, R, C} when permuting {@code shape} by {@code axes} is y [N, C, R] = x [N, R, C] transposed:
     * unit axes dropped, output axes whose input axes follow each other merged into one, and two
     * groups left swapped (N = 1) or three with the last two swapped. Null otherwise, or when the tile
     * grid would exceed the launch limits (the generic permute then runs).
     */
    static int[] batchedTranspose(Shape shape, int[] axes) {
        int r = axes.length;
        int[] next = new int[r];  // the next non-unit input axis after each axis, or r
        int following = r;
        for (int a = r - 1; a >= 0; a--) {
            next[a] = following;
            if (shape.dim(a) != 1) {
                following = a;
            }
        }
        // groups in output order: {first input axis, last input axis, element count}
        long[][] groups = new long[r][];
        int g = 0;
        for (int i = 0; i < r; i++) {
            int a = axes[i];
            if (shape.dim(a) == 1) {
                continue;
            }
            if (g > 0 && next[(int) groups[g - 1][1]] == a) {
                groups[g - 1][1] = a;
                groups[g - 1][2] *= shape.dim(a);
            } else {
                if (g == 3) {
                    return null;
                }
                groups[g++] = new long[] {a, a, shape.dim(a)};
            }
        }
        long n;
        long rows;
        long cols;
        if (g == 2 && groups[0][0] > groups[1][0]) {
            n = 1;
            rows = groups[1][2];
            cols = groups[0][2];
        } else if (g == 3 && groups[0][0] < groups[2][0] && groups[2][0] < groups[1][0]) {
            n = groups[0][2];
            rows = groups[2][2];
            cols = groups[1][2];
        } else {
            return null;
        }
        if (n > 65535 || (rows + 31) / 32 > 65535 || cols > Integer.MAX_VALUE - 31) {
            return null;
        }
        return new int[] {(int) n, (int) rows, (int) cols};
    }

    /**
     * Rows {@code ids} of table [vocab, dim] as a new [ids.length, dim] tensor: gather_rows of
     * cuda/copy.cu, the ids uploaded through the backend's table cache (the T5 encoder asks for the
     * same 512 x 512 bucket ids in each of its 24 blocks).
     */
    Tensor embedding(Tensor table, int[] ids) {
        OpChecks.embedding(table, ids);
        long src = rt.addr(table);
        Tensor out = rt.alloc(table.dtype(), Shape.of(ids.length, table.dim(1)));
        long dst = rt.addr(out);
        long row = (long) table.dim(1) * table.dtype().byteSize();
        long idsAddr = rt.tables.table(ids);
        int unit = unit(row | src | dst);
        rt.launch(rt.kernel("copy", "gather_rows"), rt.gridFor(ids.length * (row / unit), 256), 1, 1, 256, 0,
                src, idsAddr, dst, (long) ids.length, row, unit);
        return out;
    }

    /** The widest access (16, 8, 4, 2 or 1 bytes) that divides every address, stride and size or-ed into {@code bits}. */
    private static int unit(long bits) {
        int unit = 16;
        while (unit > 1 && (bits & (unit - 1)) != 0) {
            unit >>= 1;
        }
        return unit;
    }

    /** copy_rows of cuda/copy.cu with the widest access unit every address, stride and size allows. */
    private void copyRows(long src, long dst, long outer, long chunk, long srcRow, long srcOff, long dstRow, long dstOff) {
        int unit = unit(chunk | srcRow | srcOff | dstRow | dstOff | src | dst);
        long units = outer * (chunk / unit);
        rt.launch(rt.kernel("copy", "copy_rows"), rt.gridFor(units, 256), 1, 1, 256, 0,
                src, dst, outer, chunk, srcRow, srcOff, dstRow, dstOff, unit);
    }
}
