package dev.surf.cuda;

import dev.surf.core.OpChecks;
import dev.surf.core.Activation;
import dev.surf.core.DType;
import dev.surf.core.Tensor;

/** Broadcasting add/mul, activations, clamp and F32 combinations (cuda/elementwise.cu); CPU reference: CpuElementwise, CpuClamp. */
final class CudaElementwise {
    /** MAX_TERMS of cuda/elementwise.cu: the terms one combine launch takes. */
    static final int MAX_TERMS = 16;

    private CudaElementwise() {
    }

    /** a op b with b's shape a suffix of a's; in place into a when inPlace (returns null then). */
    static Tensor binary(CudaBackend be, Tensor a, Tensor b, boolean mul, boolean inPlace) {
        OpChecks.broadcastSuffix((mul ? "mul" : "add"), a, b);
        long aa = be.addr(a);
        long ba = be.addr(b);
        Tensor out = inPlace ? a : be.alloc(a.dtype(), a.shape());
        long n = a.numel();
        if (n > 0) {
            be.launch(be.kernel("elementwise", mul ? "binary_mul" : "binary_add"), be.gridFor(n, 256), 1, 1, 256, 0,
                    aa, Dt.code(a.dtype()), ba, Dt.code(b.dtype()), be.addr(out), n, b.numel());
        }
        return inPlace ? null : out;
    }

    static Tensor activation(CudaBackend be, Tensor x, Activation act) {
        long xa = be.addr(x);
        Tensor out = be.alloc(x.dtype(), x.shape());
        long n = x.numel();
        if (n == 0) {
            return out;
        }
        if (act == Activation.NONE) {
            be.memcpy(x, out);
            return out;
        }
        be.launch(be.kernel("elementwise", "activation"), be.gridFor(n, 256), 1, 1, 256, 0,
                xa, be.addr(out), Dt.code(x.dtype()), n, CudaGemm.actCode(act));
        return out;
    }

    /** CpuClamp's semantics: min(max(x, lo), hi) in x's dtype, NaN kept. */
    static Tensor clamp(CudaBackend be, Tensor x, float lo, float hi) {
        if (!(lo <= hi)) {
            throw new IllegalArgumentException("clamp: min " + lo + " must not exceed max " + hi);
        }
        if (!x.dtype().isFloating()) {
            throw new IllegalArgumentException("clamp needs a floating tensor, got " + x);
        }
        long xa = be.addr(x);
        Tensor out = be.alloc(x.dtype(), x.shape());
        long n = x.numel();
        if (n > 0) {
            be.launch(be.kernel("elementwise", "clamp"), be.gridFor(n, 256), 1, 1, 256, 0,
                    xa, be.addr(out), Dt.code(x.dtype()), n, lo, hi);
        }
        return out;
    }

    static void combineInto(CudaBackend be, Tensor out, float[] coeffs, Tensor[] xs) {
        if (coeffs.length != xs.length || xs.length == 0) {
            throw new IllegalArgumentException("combine: " + coeffs.length + " coefficients for " + xs.length + " tensors");
        }
        if (out.dtype() != DType.F32) {
            throw new IllegalArgumentException("combine writes F32, got " + out);
        }
        for (Tensor x : xs) {
            if (!x.shape().equals(out.shape())) {
                throw new IllegalArgumentException("combine: " + x.shape() + " differs from " + out.shape());
            }
            if (!x.dtype().isFloating()) {
                throw new IllegalArgumentException("combine needs floating tensors, got " + x);
            }
            be.addr(x);
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
        Tensor acc = aliasLate ? be.alloc(DType.F32, out.shape()) : out;
        try {
            for (int k0 = 0; k0 < xs.length; k0 += MAX_TERMS) {
                int count = Math.min(MAX_TERMS, xs.length - k0);
                ParamStruct p = new ParamStruct();
                for (int k = 0; k < MAX_TERMS; k++) {
                    p.ptr(k < count ? be.addr(xs[k0 + k]) : 0);
                }
                for (int k = 0; k < MAX_TERMS; k++) {
                    p.i32(k < count ? Dt.code(xs[k0 + k].dtype()) : 0);
                }
                for (int k = 0; k < MAX_TERMS; k++) {
                    p.f32(k < count ? coeffs[k0 + k] : 0f);
                }
                p.ptr(be.addr(acc)).i64(n).i32(count).i32(k0 == 0 ? 0 : 1);
                be.launch(be.kernel("elementwise", "combine"), be.gridFor(n, 256), 1, 1, 256, 0, (Object) p.bytes(280));
            }
            if (aliasLate) {
                be.memcpy(acc, out);
            }
        } finally {
            if (aliasLate) {
                acc.close();
            }
        }
    }
}
