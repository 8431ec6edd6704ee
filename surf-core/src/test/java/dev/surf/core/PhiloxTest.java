package dev.surf.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.cpu.CpuBackend;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PhiloxTest {

    private static int[] philox(int[] c, int[] k) {
        int[] out = new int[4];
        Philox.block(c[0], c[1], c[2], c[3], k[0], k[1], out);
        return out;
    }

    /** Known-answer vectors of the Random123 distribution (tests/kat_vectors, philox4x32 10). */
    @Test
    void random123KnownAnswers() {
        assertArrayEquals(new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
                philox(new int[] {0, 0, 0, 0}, new int[] {0, 0}));
        assertArrayEquals(new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
                philox(new int[] {-1, -1, -1, -1}, new int[] {-1, -1}));
        assertArrayEquals(new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
                philox(new int[] {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, new int[] {0xa4093822, 0x299f31d0}));
    }

    @Test
    void lnMatchesMathLogToTheLastBits() {
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 200_000; i++) {
            double u = ((r.nextLong() >>> 32) + 0.5) * 0x1.0p-32;
            double ref = Math.log(u);
            assertEquals(ref, PhiloxNormal.ln(u), Math.abs(ref) * 4e-16 + 1e-300, "ln(" + u + ")");
        }
        assertEquals(0.0, PhiloxNormal.ln(1.0));
    }

    @Test
    void cosSinTurnMatchesMath() {
        double[] cs = new double[2];
        SplittableRandom r = new SplittableRandom(2);
        for (int i = 0; i < 200_000; i++) {
            int b = r.nextInt();
            double angle = 2 * Math.PI * ((b & 0xffffffffL) * 0x1.0p-32);
            PhiloxNormal.cosSinTurn(b, cs);
            assertEquals(Math.cos(angle), cs[0], 2e-15, "cos");
            assertEquals(Math.sin(angle), cs[1], 2e-15, "sin");
        }
    }

    @Test
    void boxMullerFollowsTheDocumentedDefinition() {
        long seed = 0x1234_5678_9abcL;
        long offset = 7;
        int[] u = new int[4];
        for (long g = 0; g < 50; g++) {
            Philox.block((int) g, (int) (g >>> 32), (int) offset, 0, (int) seed, (int) (seed >>> 32), u);
            for (int lane = 0; lane < 4; lane++) {
                int p = lane / 2;
                double uu = ((u[2 * p] & 0xffffffffL) + 0.5) * 0x1.0p-32;
                double angle = 2 * Math.PI * ((u[2 * p + 1] & 0xffffffffL) * 0x1.0p-32);
                double r = Math.sqrt(-2 * Math.log(uu));
                double ref = lane % 2 == 0 ? r * Math.cos(angle) : r * Math.sin(angle);
                assertEquals(ref, PhiloxNormal.sample(seed, offset, 4 * g + lane), 1e-6 * Math.max(1, Math.abs(ref)));
            }
        }
    }

    @Test
    void samplesLookStandardNormal() {
        int n = 1 << 20;
        float[] a = new float[n];
        PhiloxNormal.fill(42, 0, 0, a, 0, n);
        double s = 0;
        double s2 = 0;
        double s4 = 0;
        int beyond3 = 0;
        for (float x : a) {
            s += x;
            s2 += x * x;
            s4 += (double) x * x * x * x;
            if (Math.abs(x) > 3) {
                beyond3++;
            }
        }
        double mean = s / n;
        double var = s2 / n - mean * mean;
        assertEquals(0, mean, 5 * Math.sqrt(1.0 / n));
        assertEquals(1, var, 5 * Math.sqrt(2.0 / n));
        assertEquals(3, s4 / n, 0.05);
        assertEquals(0.0027 * n, beyond3, 5 * Math.sqrt(0.0027 * n));
    }

    @Test
    void offsetsAndSeedsGiveDifferentStreams() {
        float a = PhiloxNormal.sample(1, 0, 0);
        assertTrue(a != PhiloxNormal.sample(1, 1, 0));
        assertTrue(a != PhiloxNormal.sample(2, 0, 0));
    }

    @Test
    void fillIsIndependentOfChunkingAndThreads() {
        int n = 10_007;
        float[] ref = new float[n];
        for (int i = 0; i < n; i++) {
            ref[i] = PhiloxNormal.sample(99, 3, i);
        }
        float[] chunked = new float[n];
        for (int start = 0; start < n; start += 13) {
            PhiloxNormal.fill(99, 3, start, chunked, start, Math.min(13, n - start));
        }
        assertArrayEquals(ref, chunked);
        for (int threads : new int[] {1, 2, 3}) {
            try (CpuBackend be = new CpuBackend(threads); Tensor t = be.empty(DType.F32, Shape.of(n))) {
                be.fillNormal(t, 99, 3);
                assertArrayEquals(ref, be.toFloats(t), "threads " + threads);
            }
        }
        try (CpuBackend be = new CpuBackend(2); Tensor t = be.empty(DType.BF16, Shape.of(n))) {
            be.fillNormal(t, 99, 3);
            float[] got = be.toFloats(t);
            for (int i = 0; i < n; i++) {
                assertEquals(Half.roundBf16(ref[i]), got[i]);
            }
        }
    }
}
