package dev.surf.cuda;

import dev.surf.core.BackwardChecks;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;

/**
 * The input and weight gradients of conv3d (cuda/conv3d_grad.cu: direct loops in double, bit-exact
 * with the CPU); CPU reference: CpuConvBackward.
 */
final class CudaConvBackward {
    private final CudaRuntime rt;

    CudaConvBackward(CudaRuntime rt) {
        this.rt = rt;
    }

    Tensor gradInput(Tensor dy, Tensor w, int pf, int ph, int pw) {
        BackwardChecks.conv3dGradInput(dy, w, pf, ph, pw);
        int t = dy.dim(1) - pf + w.dim(2) - 1;
        int h = dy.dim(2) - 2 * ph + w.dim(3) - 1;
        int wd = dy.dim(3) - 2 * pw + w.dim(4) - 1;
        return run("conv3d_grad_input", dy, w, Shape.of(w.dim(1), t, h, wd), w.dim(1), t, h, wd, w.dim(2), w.dim(3), w.dim(4),
                pf, ph, pw);
    }

    Tensor gradWeight(Tensor dy, Tensor x, int pf, int ph, int pw) {
        BackwardChecks.conv3dGradWeight(dy, x, pf, ph, pw);
        int kt = x.dim(1) + pf - dy.dim(1) + 1;
        int kh = x.dim(2) + 2 * ph - dy.dim(2) + 1;
        int kw = x.dim(3) + 2 * pw - dy.dim(3) + 1;
        return run("conv3d_grad_weight", dy, x, Shape.of(dy.dim(0), x.dim(0), kt, kh, kw), x.dim(0), x.dim(1), x.dim(2),
                x.dim(3), kt, kh, kw, pf, ph, pw);
    }

    private Tensor run(String fn, Tensor dy, Tensor other, Shape outShape, int cin, int t, int h, int w, int kt, int kh,
                       int kw, int pf, int ph, int pw) {
        long ga = rt.addr(dy);
        long oa = rt.addr(other);
        Tensor out = rt.alloc(DType.F32, outShape);
        long n = out.numel();
        if (n == 0) {
            return out;
        }
        byte[] p = new ParamStruct()
                .ptr(ga).ptr(oa).ptr(rt.addr(out))
                .i32(Dt.code(dy.dtype())).i32(Dt.code(other.dtype()))
                .i32(dy.dim(0)).i32(cin).i32(t).i32(h).i32(w).i32(kt).i32(kh).i32(kw)
                .i32(dy.dim(1)).i32(dy.dim(2)).i32(dy.dim(3)).i32(pf).i32(ph).i32(pw)
                .bytes(88);
        try {
            rt.launch(rt.kernel("conv3d_grad", fn), rt.gridFor(n, 256), 1, 1, 256, 0, (Object) p);
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
        return out;
    }
}
