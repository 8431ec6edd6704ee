package dev.surf.cuda;

import dev.surf.core.Activation;
import dev.surf.core.BackwardChecks;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;

/**
 * The pointwise gradients and the reductions of training (cuda/grad_elementwise.cu): activation
 * backward, the losses and the L1 gradient, and the sum over leading dimensions (bias gradients,
 * the adjoint of broadcasting). CPU reference: CpuActivationBackward, CpuLoss, CpuSumLeading.
 */
final class CudaElementwiseBackward {
    private static final int LOSS_THREADS = 1024;

    private final CudaRuntime rt;

    CudaElementwiseBackward(CudaRuntime rt) {
        this.rt = rt;
    }

    Tensor activationBackward(Tensor x, Tensor dy, Activation act) {
        BackwardChecks.activationBackward(x, dy, act);
        long xa = rt.addr(x);
        long ga = rt.addr(dy);
        Tensor dx = rt.alloc(DType.F32, x.shape());
        long n = x.numel();
        if (n > 0) {
            launch(dx, "activation_backward", rt.gridFor(n, 256), 256,
                    xa, Dt.code(x.dtype()), ga, Dt.code(dy.dtype()), rt.addr(dx), n, CudaGemm.actCode(act));
        }
        return dx;
    }

    Tensor mseLoss(Tensor a, Tensor target) {
        BackwardChecks.mseLoss(a, target);
        return loss(a, target, 0);
    }

    Tensor l1Loss(Tensor a, Tensor target) {
        BackwardChecks.l1Loss(a, target);
        return loss(a, target, 1);
    }

    Tensor l1LossGrad(Tensor a, Tensor target) {
        BackwardChecks.l1Loss(a, target);
        long aa = rt.addr(a);
        long ta = rt.addr(target);
        Tensor g = rt.alloc(DType.F32, a.shape());
        long n = a.numel();
        if (n > 0) {
            launch(g, "l1_loss_grad", rt.gridFor(n, 256), 256, aa, Dt.code(a.dtype()), ta, Dt.code(target.dtype()), rt.addr(g), n);
        }
        return g;
    }

    Tensor sumLeading(Tensor x, Shape suffix) {
        BackwardChecks.sumLeading(x, suffix);
        long xa = rt.addr(x);
        long n = suffix.numel();
        long rows = n == 0 ? 0 : x.numel() / n;
        Tensor out = rt.alloc(DType.F32, suffix);
        if (n > 0) {
            long blocks = (n + 255) / 256;
            if (blocks > Integer.MAX_VALUE) {
                out.close();
                throw new IllegalArgumentException("sumLeading: " + n + " columns exceed the grid limit");
            }
            launch(out, "sum_leading", (int) blocks, 256, xa, Dt.code(x.dtype()), rt.addr(out), rows, n);
        }
        return out;
    }

    /** mean((a - t)^2) (mode 0) or mean(|a - t|) (mode 1) as F32 [1]. */
    private Tensor loss(Tensor a, Tensor target, int mode) {
        long aa = rt.addr(a);
        long ta = rt.addr(target);
        Tensor out = rt.alloc(DType.F32, Shape.of(1));
        launch(out, "loss_mean", 1, LOSS_THREADS, aa, Dt.code(a.dtype()), ta, Dt.code(target.dtype()), rt.addr(out),
                a.numel(), mode);
        return out;
    }

    /** Launches fn of grad_elementwise.cu writing out; closes out if the launch fails. */
    private void launch(Tensor out, String fn, int grid, int block, Object... args) {
        try {
            rt.launch(rt.kernel("grad_elementwise", fn), grid, 1, 1, block, 0, args);
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
    }
}
