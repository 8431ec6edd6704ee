package dev.surf.core.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.surf.core.Activation;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.testing.Numerics;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** CpuBackend.linear / linearResidual against a double-precision reference on the rounded operands. */
class CpuGemmTest {
    private static final double TOL = 1e-5;
    private static CpuBackend be;

    @BeforeAll
    static void open() {
        be = new CpuBackend(2);
    }

    @AfterAll
    static void close() {
        be.close();
    }

    /**
     * m x k (input) x n (output), on both sides of CpuGemm.GEMV_ROWS (dot products up to it, the
     * blocked kernel above): primes, m not a multiple of the kernel's 6 rows, n not a multiple of
     * the vector width, k across several KC blocks, m across several row tiles.
     */
    static Stream<Arguments> shapes() {
        int g = CpuGemm.GEMV_ROWS;
        return Stream.of(
                Arguments.of(1, 1, 1),
                Arguments.of(7, 13, 17),
                Arguments.of(1, 1536, 1536),
                Arguments.of(2, 96, 35),
                Arguments.of(3, 40, 9),
                Arguments.of(13, 300, 40),
                Arguments.of(g, 77, 45),
                Arguments.of(g + 1, 77, 45),
                Arguments.of(33, 65, 129),
                Arguments.of(37, 13, 17),
                Arguments.of(42, 16, 16),
                Arguments.of(43, 1, 7),
                Arguments.of(101, 520, 200),
                Arguments.of(1201, 70, 33),
                Arguments.of(53, 257, 1));
    }

    @ParameterizedTest(name = "{0}x{1}x{2}")
    @MethodSource("shapes")
    void linearMatchesReferenceF32(int m, int k, int n) {
        checkLinear(m, k, n, DType.F32, false, true, Activation.NONE, 11 + m + 7L * n);
    }

    @ParameterizedTest(name = "{0}x{1}x{2}")
    @MethodSource("shapes")
    void linearMatchesReferenceBf16Mapped(int m, int k, int n) {
        checkLinear(m, k, n, DType.BF16, true, true, Activation.GELU_TANH, 13 + m + 5L * k);
    }

    @Test
    void everyWeightTypeAndStorage() {
        for (DType dt : new DType[] {DType.F32, DType.BF16, DType.F16}) {
            for (boolean mapped : new boolean[] {false, true}) {
                checkLinear(37, 129, 50, dt, mapped, true, Activation.NONE, 5);
                checkLinear(2, 129, 50, dt, mapped, false, Activation.SILU, 6);
            }
        }
    }

    @Test
    void everyEpilogue() {
        for (Activation act : Activation.values()) {
            for (boolean withBias : new boolean[] {false, true}) {
                checkLinear(41, 70, 45, DType.F32, false, withBias, act, 21);
                checkLinear(1, 70, 45, DType.BF16, false, withBias, act, 22);
            }
        }
    }

    @Test
    void fusedActivationMatchesElementwiseOpBitForBit() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int m : new int[] {3, 50}) {
            for (Activation act : new Activation[] {Activation.GELU_TANH, Activation.SILU}) {
                checkFusedActivation(rnd, m, act);
            }
        }
    }

    private static void checkFusedActivation(SplittableRandom rnd, int m, Activation act) {
        try (Tensor x = be.fromFloats(Numerics.uniform(rnd, m * 40, 2), Shape.of(m, 40));
             Tensor w = be.fromFloats(Numerics.uniform(rnd, 30 * 40, 1), Shape.of(30, 40));
             Tensor b = be.fromFloats(Numerics.uniform(rnd, 30, 1), Shape.of(30));
             Tensor plain = be.linear(x, w, b, Activation.NONE);
             Tensor unfused = be.activation(plain, act);
             Tensor fused = be.linear(x, w, b, act)) {
            assertArrayEquals(be.toFloats(unfused), be.toFloats(fused), m + " rows " + act.name());
        }
    }

    @Test
    void rank3InputKeepsLeadingDims() {
        SplittableRandom rnd = new SplittableRandom(4);
        try (Tensor x = be.fromFloats(Numerics.uniform(rnd, 2 * 5 * 24, 1), Shape.of(2, 5, 24));
             Tensor w = be.fromFloats(Numerics.uniform(rnd, 17 * 24, 1), Shape.of(17, 24));
             Tensor y = be.linear(x, w, null, Activation.NONE)) {
            assertEquals(Shape.of(2, 5, 17), y.shape());
            Numerics.assertClose("rank 3", be.toFloats(y),
                    reference(be.toFloats(x), be.toFloats(w), null, 10, 24, 17, Activation.NONE), TOL);
        }
    }

    @Test
    void bf16InputGivesBf16Output() {
        SplittableRandom rnd = new SplittableRandom(8);
        try (Tensor x32 = be.fromFloats(Numerics.uniform(rnd, 9 * 33, 1), Shape.of(9, 33));
             Tensor x = be.convert(x32, DType.BF16);
             Tensor w = be.fromFloats(Numerics.uniform(rnd, 12 * 33, 1), Shape.of(12, 33));
             Tensor y = be.linear(x, w, null, Activation.NONE)) {
            assertEquals(DType.BF16, y.dtype());
            Numerics.assertClose("bf16 input", be.toFloats(y),
                    reference(be.toFloats(x), be.toFloats(w), null, 9, 33, 12, Activation.NONE), 1e-2);
        }
    }

    @Test
    void emptyReductionGivesBias() {
        try (Tensor x = be.zeros(DType.F32, Shape.of(8, 0));
             Tensor w = be.zeros(DType.F32, Shape.of(5, 0));
             Tensor b = be.fromFloats(new float[] {1, -2, 3, 0.5f, 0}, Shape.of(5));
             Tensor y = be.linear(x, w, b, Activation.NONE)) {
            float[] got = be.toFloats(y);
            for (int i = 0; i < 8; i++) {
                for (int j = 0; j < 5; j++) {
                    assertEquals(be.toFloats(b)[j], got[i * 5 + j]);
                }
            }
        }
    }

    @Test
    void mismatchedShapesAreRejected() {
        try (Tensor x = be.zeros(DType.F32, Shape.of(3, 4));
             Tensor w = be.zeros(DType.F32, Shape.of(5, 6));
             Tensor b = be.zeros(DType.F32, Shape.of(4))) {
            assertThrows(IllegalArgumentException.class, () -> be.linear(x, w, null, Activation.NONE));
            try (Tensor w2 = be.zeros(DType.F32, Shape.of(5, 4))) {
                assertThrows(IllegalArgumentException.class, () -> be.linear(x, w2, b, Activation.NONE));
            }
        }
    }

    @ParameterizedTest(name = "B={0} L={1} in={2} out={3}")
    @MethodSource("residualShapes")
    void linearResidualMatchesReference(int batch, int len, int in, int out) {
        SplittableRandom rnd = new SplittableRandom(batch * 1000L + len);
        int m = batch * len;
        float[] xv = Numerics.uniform(rnd, m * in, 1);
        float[] r0 = Numerics.uniform(rnd, m * out, 2);
        float[] bv = Numerics.uniform(rnd, out, 1);
        float[] gv = Numerics.uniform(rnd, batch * out, 1.5);
        for (boolean gated : new boolean[] {false, true}) {
            for (DType dt : new DType[] {DType.F32, DType.BF16}) {
                try (Tensor x = be.fromFloats(xv, Shape.of(batch, len, in));
                     Tensor w32 = be.fromFloats(Numerics.uniform(rnd, out * in, 1), Shape.of(out, in));
                     Tensor w = be.convert(w32, dt);
                     Tensor b = be.fromFloats(bv, Shape.of(out));
                     Tensor g = be.fromFloats(gv, Shape.of(batch, out));
                     Tensor res = be.fromFloats(r0, Shape.of(batch, len, out))) {
                    be.linearResidual(res, x, w, b, gated ? g : null);
                    double[] y = reference(xv, be.toFloats(w), bv, m, in, out, Activation.NONE);
                    double[] want = new double[m * out];
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < out; j++) {
                            double gate = gated ? gv[(i / len) * out + j] : 1.0;
                            want[i * out + j] = r0[i * out + j] + gate * y[i * out + j];
                        }
                    }
                    Numerics.assertClose("residual gated=" + gated + " " + dt, be.toFloats(res), want, TOL);
                }
            }
        }
    }

    static Stream<Arguments> residualShapes() {
        return Stream.of(
                Arguments.of(2, 1, 16, 24),
                Arguments.of(2, 7, 33, 20),
                Arguments.of(2, 50, 70, 45),
                Arguments.of(1, 13, 300, 40),
                Arguments.of(3, 9, 5, 130),
                Arguments.of(3, 13, 33, 70));
    }

    @Test
    void linearResidualWithInputAliasingTheResidual() {
        for (int len : new int[] {2, 40}) {
            SplittableRandom rnd = new SplittableRandom(len);
            int m = 2 * len;
            int d = 48;
            float[] r0 = Numerics.uniform(rnd, m * d, 1);
            float[] wv = Numerics.uniform(rnd, d * d, 1);
            float[] gv = Numerics.uniform(rnd, 2 * d, 1);
            try (Tensor res = be.fromFloats(r0, Shape.of(2, len, d));
                 Tensor w = be.fromFloats(wv, Shape.of(d, d));
                 Tensor g = be.fromFloats(gv, Shape.of(2, d))) {
                be.linearResidual(res, res, w, null, g);
                double[] y = reference(r0, wv, null, m, d, d, Activation.NONE);
                double[] want = new double[m * d];
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < d; j++) {
                        want[i * d + j] = r0[i * d + j] + gv[(i / len) * d + j] * y[i * d + j];
                    }
                }
                Numerics.assertClose("x aliasing residual, L=" + len, be.toFloats(res), want, TOL);
            }
        }
    }

    @Test
    void bitIdenticalForAnyThreadCount() {
        int[][] shapes = {{1, 300, 77}, {2, 65, 129}, {20, 100, 61}, {34, 65, 129}, {200, 600, 300}, {1201, 70, 33}};
        for (int[] s : shapes) {
            SplittableRandom rnd = new SplittableRandom(s[0] * 31L + s[2]);
            float[] xv = Numerics.uniform(rnd, s[0] * s[1], 1);
            float[] wv = Numerics.uniform(rnd, s[2] * s[1], 1);
            float[] bv = Numerics.uniform(rnd, s[2], 1);
            float[] rv = Numerics.uniform(rnd, s[0] * s[2], 1);
            float[] gv = Numerics.uniform(rnd, 2 * s[2], 1);
            float[][] lin = new float[3][];
            float[][] res = new float[3][];
            for (int t = 1; t <= 3; t++) {
                try (CpuBackend b = new CpuBackend(t);
                     Tensor x = b.fromFloats(xv, Shape.of(s[0], s[1]));
                     Tensor w32 = b.fromFloats(wv, Shape.of(s[2], s[1]));
                     Tensor w = b.convert(w32, DType.BF16);
                     Tensor bias = b.fromFloats(bv, Shape.of(s[2]));
                     Tensor y = b.linear(x, w, bias, Activation.GELU_TANH)) {
                    lin[t - 1] = b.toFloats(y);
                    if (s[0] % 2 == 0) {
                        try (Tensor x3 = x.view(2, s[0] / 2, s[1]);
                             Tensor r = b.fromFloats(rv, Shape.of(2, s[0] / 2, s[2]));
                             Tensor g = b.fromFloats(gv, Shape.of(2, s[2]))) {
                            b.linearResidual(r, x3, w32, bias, g);
                            res[t - 1] = b.toFloats(r);
                        }
                    }
                }
            }
            String what = s[0] + "x" + s[1] + "x" + s[2];
            assertArrayEquals(lin[0], lin[1], what + " linear 1 vs 2 threads");
            assertArrayEquals(lin[0], lin[2], what + " linear 1 vs 3 threads");
            if (res[0] != null) {
                assertArrayEquals(res[0], res[1], what + " residual 1 vs 2 threads");
                assertArrayEquals(res[0], res[2], what + " residual 1 vs 3 threads");
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private static void checkLinear(int m, int k, int n, DType wType, boolean mapped, boolean withBias, Activation act,
                                    long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] xv = Numerics.uniform(rnd, m * k, 1);
        float[] wv = Numerics.uniform(rnd, n * k, 1);
        float[] bv = withBias ? Numerics.uniform(rnd, n, 1) : null;
        try (Arena arena = Arena.ofShared();
             Tensor x = be.fromFloats(xv, Shape.of(m, k));
             Tensor w32 = be.fromFloats(wv, Shape.of(n, k));
             Tensor wConv = be.convert(w32, wType);
             Tensor w = mapped ? borrowNative(arena, wConv) : be.convert(wConv, wType);
             Tensor b = withBias ? be.fromFloats(bv, Shape.of(n)) : null;
             Tensor y = be.linear(x, w, b, act)) {
            assertEquals(Shape.of(m, n), y.shape());
            double[] ref = reference(xv, be.toFloats(w), bv, m, k, n, act);
            Numerics.assertClose(m + "x" + k + "x" + n + " " + wType + (mapped ? " mapped " : " heap ") + act
                    + (withBias ? " bias" : ""), be.toFloats(y), ref, TOL);
        }
    }

    /** The weight's bytes in native memory, borrowed like a mapped safetensors region. */
    private static Tensor borrowNative(Arena arena, Tensor w) {
        MemorySegment seg = arena.allocate(w.byteSize(), 64);
        be.copyToHost(w, seg);
        return be.loadWeight(w.dtype(), w.shape(), seg, w.dtype());
    }

    /** act(x W^T + b) in double. */
    static double[] reference(float[] x, float[] w, float[] b, int m, int k, int n, Activation act) {
        double[] y = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = b == null ? 0 : b[j];
                for (int p = 0; p < k; p++) {
                    s += (double) x[i * k + p] * w[j * k + p];
                }
                y[i * n + j] = act.apply(s);
            }
        }
        return y;
    }
}
