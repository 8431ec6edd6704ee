package dev.surf.core.cpu;

import dev.surf.core.OpChecks;
import dev.surf.core.Activation;
import dev.surf.core.DType;
import dev.surf.core.Tensor;
import java.lang.foreign.MemorySegment;

/** Broadcasting add/mul, activations and the F32 linear combinations used by samplers. */
final class CpuElementwise {
    enum Op { ADD, MUL }

    private CpuElementwise() {
    }

    /** a op b with b's shape a suffix of a's; in place into a when inPlace (returns null then). */
    static Tensor binary(CpuBackend be, Tensor a, Tensor b, Op op, boolean inPlace) {
        OpChecks.broadcastSuffix((op == Op.ADD ? "add" : "mul"), a, b);
        int n = CpuTensors.checkedInt(a.numel(), "elementwise");
        int m = CpuTensors.checkedInt(b.numel(), "elementwise");
        float[] bv = CpuTensors.f32View(b);
        Tensor out = inPlace ? a : be.zeros(a.dtype(), a.shape());
        if (CpuTensors.isHeapF32(a) && CpuTensors.isHeapF32(out)) {
            float[] av = CpuTensors.array(a);
            int ao = CpuTensors.offset(a);
            float[] ov = CpuTensors.array(out);
            int oo = CpuTensors.offset(out);
            be.pool().forRange(n, 1 << 15, (lo, hi) -> {
                for (int i = lo; i < hi; i++) {
                    float y = bv[m == 0 ? 0 : i % m];
                    ov[oo + i] = op == Op.ADD ? av[ao + i] + y : av[ao + i] * y;
                }
            });
        } else {
            MemorySegment as = CpuTensors.segment(a);
            MemorySegment os = CpuTensors.segment(out);
            DType at = a.dtype();
            be.pool().forRange(n, 1 << 15, (lo, hi) -> {
                for (int i = lo; i < hi; i++) {
                    float x = CpuTensors.get(as, at, i);
                    float y = bv[i % m];
                    CpuTensors.set(os, at, i, op == Op.ADD ? x + y : x * y);
                }
            });
        }
        return inPlace ? null : out;
    }

    static Tensor activation(CpuBackend be, Tensor x, Activation act) {
        OpChecks.activation(x, act);
        int n = CpuTensors.checkedInt(x.numel(), "activation");
        Tensor out = be.zeros(x.dtype(), x.shape());
        MemorySegment in = CpuTensors.segment(x);
        MemorySegment os = CpuTensors.segment(out);
        DType dt = x.dtype();
        be.pool().forRange(n, 1 << 14, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                CpuTensors.set(os, dt, i, apply(act, CpuTensors.get(in, dt, i)));
            }
        });
        return out;
    }

    /** act in F32 arithmetic, the form the GEMM epilogues use too. */
    static float apply(Activation act, float x) {
        return switch (act) {
            case NONE -> x;
            case GELU_TANH -> 0.5f * x * (1f + (float) Math.tanh(0.7978845608028654 * (x + 0.044715f * x * x * x)));
            case SILU -> x / (1f + (float) Math.exp(-x));
        };
    }

    static void combineInto(CpuBackend be, Tensor out, float[] coeffs, Tensor[] xs) {
        OpChecks.combineInto(out, coeffs, xs);
        int n = CpuTensors.checkedInt(out.numel(), "combine");
        float[][] arr = new float[xs.length][];
        int[] off = new int[xs.length];
        for (int k = 0; k < xs.length; k++) {
            if (CpuTensors.isHeapF32(xs[k])) {
                arr[k] = CpuTensors.array(xs[k]);
                off[k] = CpuTensors.offset(xs[k]);
            } else {
                arr[k] = CpuTensors.toF32(xs[k]);
            }
        }
        float[] o = CpuTensors.array(out);
        int oo = CpuTensors.offset(out);
        be.pool().forRange(n, 1 << 15, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                float acc = coeffs[0] * arr[0][off[0] + i];
                for (int k = 1; k < arr.length; k++) {
                    acc = Math.fma(coeffs[k], arr[k][off[k] + i], acc);
                }
                o[oo + i] = acc;
            }
        });
    }
}
