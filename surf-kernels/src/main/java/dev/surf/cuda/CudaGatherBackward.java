package dev.surf.cuda;

import dev.surf.core.BackwardChecks;
import dev.surf.core.DType;
import dev.surf.core.ResizeMode;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;

/**
 * The adjoints of the gathers (cuda/grad_gather.cu): the embedding table gradient and the resize
 * input gradient. CPU reference: CpuEmbeddingBackward, CpuResizeBackward.
 */
final class CudaGatherBackward {
    private final CudaRuntime rt;

    CudaGatherBackward(CudaRuntime rt) {
        this.rt = rt;
    }

    Tensor embedding(Tensor dy, int[] ids, int vocab) {
        BackwardChecks.embeddingBackward(dy, ids, vocab);
        int dim = dy.dim(1);
        long ga = rt.addr(dy);
        Tensor table = rt.alloc(DType.F32, Shape.of(vocab, dim));
        rt.fill(table, (byte) 0);  // rows of ids that never occur keep a zero gradient
        if (ids.length > 0 && dim > 0) {
            try {
                rt.launch(rt.kernel("grad_gather", "embedding_backward"), (dim + 255) / 256, 1, 1, 256, 0,
                        ga, Dt.code(dy.dtype()), rt.tables.table(ids), rt.addr(table), ids.length, dim);
            } catch (RuntimeException e) {
                table.close();
                throw e;
            }
        }
        return table;
    }

    Tensor resize(Tensor dy, int inH, int inW, ResizeMode mode) {
        BackwardChecks.resizeBackward(dy, inH, inW, mode);
        int outH = dy.dim(-2);
        int outW = dy.dim(-1);
        long planes = dy.shape().size(0, dy.rank() - 2);
        long ga = rt.addr(dy);
        Tensor dx = rt.alloc(DType.F32, dy.shape().with(-2, inH).with(-1, inW));
        long n = dx.numel();
        if (n > 0) {
            try {
                rt.launch(rt.kernel("grad_gather", "resize_backward"), rt.gridFor(n, 256), 1, 1, 256, 0,
                        ga, Dt.code(dy.dtype()), rt.addr(dx), planes, inH, inW, outH, outW, CudaResize.modeCode(mode));
            } catch (RuntimeException e) {
                dx.close();
                throw e;
            }
        }
        return dx;
    }
}
