package dev.surf.cuda;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.surf.core.Activation;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Broadcasting add/mul, activations and combine against CpuElementwise (combine bit for bit). */
@Tag("gpu")
class ElementwiseKernelTest extends CudaTestBase {

    @Test
    void broadcastingAddAndMul() {
        int[][][] cases = {
            {{1}, {1}}, {{7}, {}}, {{3, 5}, {5}}, {{2, 3, 129}, {3, 129}}, {{4, 1000}, {4, 1000}}, {{2, 37, 1536}, {1536}},
        };
        DType[][] mixes = {{DType.F32, DType.F32}, {DType.BF16, DType.F32}, {DType.F32, DType.BF16}, {DType.F16, DType.F16}};
        for (int[][] cse : cases) {
            for (DType[] mix : mixes) {
                String what = java.util.Arrays.deepToString(cse) + " " + mix[0] + " op " + mix[1];
                try (Both a = random(mix[0], 3, cse[0]); Both b = random(mix[1], 3, cse[1]);
                     Tensor ga = gpu.add(a.g(), b.g()); Tensor ca = cpu.add(a.c(), b.c());
                     Tensor gm = gpu.mul(a.g(), b.g()); Tensor cm = cpu.mul(a.c(), b.c())) {
                    assertSameBits("add " + what, ga, ca);
                    assertSameBits("mul " + what, gm, cm);
                    gpu.addInPlace(a.g(), b.g());
                    cpu.addInPlace(a.c(), b.c());
                    assertSameBits("addInPlace " + what, a.g(), a.c());
                }
            }
        }
        try (Both a = random(DType.F32, 1, 3, 4); Both b = random(DType.F32, 1, 3)) {
            assertThrows(IllegalArgumentException.class, () -> gpu.add(a.g(), b.g()));
        }
    }

    @Test
    void activations() {
        for (Activation act : Activation.values()) {
            for (DType dt : new DType[] {DType.F32, DType.BF16, DType.F16}) {
                try (Both x = random(dt, 8, 3, 1001); Tensor g = gpu.activation(x.g(), act); Tensor c = cpu.activation(x.c(), act)) {
                    assertMatches("activation " + act + " " + dt, g, c);
                }
            }
        }
    }

    @Test
    void combineIsBitExact() {
        for (int terms : new int[] {1, 2, 3, 5, 16, 17, 35}) {
            float[] coeffs = dev.surf.core.testing.Numerics.uniform(rnd, terms, 2);
            Both[] xs = new Both[terms];
            try {
                for (int k = 0; k < terms; k++) {
                    xs[k] = random(k % 3 == 2 ? DType.BF16 : DType.F32, 3, 3, 11, 7);
                }
                Tensor[] gx = new Tensor[terms];
                Tensor[] cx = new Tensor[terms];
                for (int k = 0; k < terms; k++) {
                    gx[k] = xs[k].g();
                    cx[k] = xs[k].c();
                }
                try (Tensor g = gpu.combine(coeffs, gx); Tensor c = cpu.combine(coeffs, cx)) {
                    assertSameBits("combine of " + terms, g, c);
                }
                // in place into an operand: the first, and (for long chains) one of a later launch
                int[] targets = terms > 17 ? new int[] {0, 17} : new int[] {0};
                for (int target : targets) {
                    if (xs[target].g().dtype() != DType.F32) {
                        continue;
                    }
                    gpu.combineInto(gx[target], coeffs, gx);
                    cpu.combineInto(cx[target], coeffs, cx);
                    assertSameBits("combineInto x" + target + " of " + terms, gx[target], cx[target]);
                }
            } finally {
                for (Both b : xs) {
                    if (b != null) {
                        b.close();
                    }
                }
            }
        }
        try (Tensor out = gpu.zeros(DType.BF16, Shape.of(4)); Tensor x = gpu.zeros(DType.F32, Shape.of(4))) {
            assertThrows(IllegalArgumentException.class, () -> gpu.combineInto(out, new float[] {1}, x));
        }
    }
}
