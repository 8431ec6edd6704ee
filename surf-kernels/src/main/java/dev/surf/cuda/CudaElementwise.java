package dev.surf.cuda;

import dev.surf.core.OpChecks;
import dev.surf.core.Activation;
import dev.surf.core.DType;
import dev.surf.core.Tensor;

/** Broadcasting add/mul, activations, clamp and F32 combinations (cuda/elementwise.cu); CPU reference: CpuElementwise, CpuClamp. */
final class CudaElementwise {
    /** MAX_TERMS of cuda/elementwise.cu: the terms one combine launch takes. */
    static final int MAX_TERMS = 16;

    private final CudaRuntime rt;

    CudaElementwise(CudaRuntime rt) {
        this.rt = rt;
    }

    /** a op b with b's shape a suffix of a's; in place into a when inPlace (returns null then). */
    Tensor binary(Tensor a, Tensor b, boolean mul, boolean inPlace) {
        OpChecks.broadcastSuffix((mul ? "mul" : "add"), a, b);
        long aa = rt.addr(a);
        long ba = rt.addr(b);
        Tensor out = inPlace ? a : rt.alloc(a.dtype(), a.shape());
        long n = a.numel();
        if (n > 0) {
            rt.launch(rt.kernel("elementwise", mul ? "binary_mul" : "binary_add"), rt.gridFor(n, 256), 1, 1, 256, 0,
                    aa, Dt.code(a.dtype()), ba, Dt.code(b.dtype()), rt.addr(out), n, b.numel());
        }
        return inPlace ? null : out;
    }

    Tensor activation(Tensor x, Activation act) {
        OpChecks.activation(x, act);
        long xa = rt.addr(x);
        Tensor out = rt.alloc(x.dtype(), x.shape());
        long n = x.numel();
        if (n == 0) {
            return out;
        }
        if (act == Activation.NONE) {
            rt.memcpy(x, out);
            return out;
        }
        rt.launch(rt.kernel("elementwise", "activation"), rt.gridFor(n, 256), 1, 1, 256, 0,
                xa, rt.addr(out), Dt.code(x.dtype()), n, CudaGemm.actCode(act));
        return out;
    }

    /** CpuClamp's semantics: min(max(x, lo), hi) in x's dtype, NaN kept. */
    Tensor clamp(Tensor x, float lo, float hi) {
        OpChecks.clamp(x, lo, hi);
        long xa = rt.addr(x);
        Tensor out = rt.alloc(x.dtype(), x.shape());
        long n = x.numel();
        if (n > 0) {
            rt.launch(rt.kernel("elementwise", "clamp"), rt.gridFor(n, 256), 1, 1, 256, 0,
                    xa, rt.addr(out), Dt.code(x.dtype()), n, lo, hi);
        }
        return out;
    }

    /** A new F32 tensor of sum_i coeffs[i] * xs[i]. */
    Tensor combine(float[] coeffs, Tensor[] xs) {
        OpChecks.combine(coeffs, xs);
        Tensor out = rt.alloc(DType.F32, xs[0].shape());
        try {
            combineInto(out, coeffs, xs);
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
        return out;
    }

    void combineInto(Tensor out, float[] coeffs, Tensor[] xs) {
        OpChecks.combineInto(out, coeffs, xs);
        for (Tensor x : xs) {
            rt.addr(x);
        }
        long n = out.numel();
        if (n == 0) {
            return;
        }
        // Past MAX_TERMS the chain continues from out in further launches; if out is also a later
        // input it would already be overwritten, so such a call accumulates in a temporary.
        boolean aliasLate = false;
        for (int k = MAX_TERMS; k < xs.length; k++) {
            aliasLate |= xs[k].storage() == out.storage();
        }
        Tensor acc = aliasLate ? rt.alloc(DType.F32, out.shape()) : out;
        try {
            for (int k0 = 0; k0 < xs.length; k0 += MAX_TERMS) {
                int count = Math.min(MAX_TERMS, xs.length - k0);
                ParamStruct p = new ParamStruct();
                for (int k = 0; k < MAX_TERMS; k++) {
                    p.ptr(k < count ? rt.addr(xs[k0 + k]) : 0);
                }
                for (int k = 0; k < MAX_TERMS; k++) {
                    p.i32(k < count ? Dt.code(xs[k0 + k].dtype()) : 0);
                }
                for (int k = 0; k < MAX_TERMS; k++) {
                    p.f32(k < count ? coeffs[k0 + k] : 0f);
                }
                p.ptr(rt.addr(acc)).i64(n).i32(count).i32(k0 == 0 ? 0 : 1);
                rt.launch(rt.kernel("elementwise", "combine"), rt.gridFor(n, 256), 1, 1, 256, 0, (Object) p.bytes(280));
            }
            if (aliasLate) {
                rt.memcpy(acc, out);
            }
        } finally {
            if (aliasLate) {
                acc.close();
            }
        }
    }
}
