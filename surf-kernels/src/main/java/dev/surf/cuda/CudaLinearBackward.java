package dev.surf.cuda;

import dev.surf.core.BackwardChecks;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;

/**
 * The two products of a linear layer's backward (cuda/grad_linear.cu: a plain tiled F32 GEMM, since
 * the forward kernels compute x W^T only): dx = dy W and dW = dy^T x. CPU reference: CpuLinearBackward.
 */
final class CudaLinearBackward {
    private static final int TILE = 16;
    /** The grid's y limit: output columns are tiled along y. */
    private static final long MAX_COLUMN_TILES = 65535;

    private final CudaRuntime rt;

    CudaLinearBackward(CudaRuntime rt) {
        this.rt = rt;
    }

    /** dx [..., in] = dy [..., out] W [out, in]. */
    Tensor gradInput(Tensor dy, Tensor w) {
        BackwardChecks.linearGradInput(dy, w);
        return gemm("linearGradInput", dy, w, false, dy.shape().rows(), w.dim(1), w.dim(0), dy.shape().with(-1, w.dim(1)));
    }

    /** dW [out, in] = dy^T x over all rows. */
    Tensor gradWeight(Tensor dy, Tensor x) {
        BackwardChecks.linearGradWeight(dy, x);
        return gemm("linearGradWeight", dy, x, true, dy.dim(-1), x.dim(-1), dy.shape().rows(), Shape.of(dy.dim(-1), x.dim(-1)));
    }

    private Tensor gemm(String op, Tensor a, Tensor b, boolean transA, long m, long n, long k, Shape outShape) {
        long aa = rt.addr(a);
        long ba = rt.addr(b);
        long rowTiles = (m + TILE - 1) / TILE;
        long colTiles = (n + TILE - 1) / TILE;
        if (rowTiles > Integer.MAX_VALUE || colTiles > MAX_COLUMN_TILES || k > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": a [" + m + " x " + k + "] x [" + k + " x " + n
                    + "] product exceeds the CUDA grid limits");
        }
        Tensor c = rt.alloc(DType.F32, outShape);
        if (m > 0 && n > 0) {
            try {
                rt.launch(rt.kernel("grad_linear", "grad_gemm"), (int) rowTiles, (int) colTiles, 1, TILE * TILE, 0,
                        aa, Dt.code(a.dtype()), ba, Dt.code(b.dtype()), rt.addr(c), (int) m, (int) n, (int) k, transA ? 1 : 0);
            } catch (RuntimeException e) {
                c.close();
                throw e;
            }
        }
        return c;
    }
}
