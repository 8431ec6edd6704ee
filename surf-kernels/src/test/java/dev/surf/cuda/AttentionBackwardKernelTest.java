package dev.surf.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.surf.core.AttentionGrads;
import dev.surf.core.AttentionSpec;
import dev.surf.core.AttentionWithLse;
import dev.surf.core.DType;
import dev.surf.core.Tensor;
import dev.surf.core.TimeWindow;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * attentionWithLse and attentionBackward against CpuAttention / CpuAttentionBackward: global,
 * key lengths (one batch item without keys, whose rows get lse -inf and zero gradients), additive
 * bias, cross-attention (Lq != Lk, dv != d), and time windows with and without a cyclic shift; head
 * dims that leave lanes idle and that need several columns per lane; F32 and BF16 operands. The
 * backward gets the CPU's forward output and lse on both backends, so it is tested on its own.
 */
@Tag("gpu")
class AttentionBackwardKernelTest extends CudaTestBase {
    private static final DType[] TYPES = {DType.F32, DType.BF16};

    /** One case: q [b, lq, h, d], k [b, lk, h, d], v [b, lk, h, dv]. */
    private record Case(String name, int b, int lq, int lk, int h, int d, int dv, int[] keyLengths, boolean bias,
                        TimeWindow window) {
    }

    private static final Case[] CASES = {
        new Case("global", 2, 37, 37, 3, 7, 7, null, false, null),
        new Case("head dim 64", 1, 70, 70, 2, 64, 64, null, false, null),
        new Case("key lengths", 2, 19, 23, 2, 16, 16, new int[] {23, 9}, false, null),
        new Case("bias", 1, 21, 17, 3, 33, 33, null, true, null),
        new Case("cross dv != d", 2, 13, 29, 2, 40, 72, null, false, null),
        new Case("wide heads", 1, 9, 11, 1, 130, 300, null, false, null),
        new Case("window", 1, 5 * 6, 5 * 6, 2, 16, 16, null, false, new TimeWindow(5, 6, 2, 0)),
        new Case("window shifted", 2, 7 * 4, 7 * 4, 2, 24, 24, null, false, new TimeWindow(7, 4, 3, 1)),
        new Case("window with bias", 1, 4 * 5, 4 * 5, 1, 8, 8, null, true, new TimeWindow(4, 5, 2, 1)),
    };

    private Both biasFor(Case c) {
        return c.bias ? random(DType.F32, 2, c.h, c.lq, c.lk) : null;
    }

    private static AttentionSpec spec(Case c, Tensor bias) {
        return new AttentionSpec((float) (1 / Math.sqrt(c.d)), c.keyLengths, bias, c.window);
    }

    /** A GPU copy of a CPU tensor, same dtype and bits. */
    private static Tensor onGpu(Tensor c) {
        return gpu.fromBytes(c.dtype(), c.shape(), encode(cpu.toFloats(c), c.dtype()));
    }

    @Test
    void forwardWithLseMatchesCpu() {
        for (Case c : CASES) {
            if (c.keyLengths != null && java.util.Arrays.stream(c.keyLengths).anyMatch(n -> n == 0)) {
                continue;  // -inf rows are compared in the backward test
            }
            for (DType dt : TYPES) {
                try (Both q = random(dt, 1, c.b, c.lq, c.h, c.d); Both k = random(dt, 1, c.b, c.lk, c.h, c.d);
                     Both v = random(dt, 1, c.b, c.lk, c.h, c.dv); Both bias = biasFor(c);
                     AttentionWithLse g = gpu.attentionWithLse(q.g(), k.g(), v.g(), spec(c, bias == null ? null : bias.g()));
                     AttentionWithLse r = cpu.attentionWithLse(q.c(), k.c(), v.c(), spec(c, bias == null ? null : bias.c()))) {
                    assertEquals(dt, g.out().dtype());
                    assertEquals(r.lse().shape(), g.lse().shape());
                    assertMatches(c.name + " " + dt + " out", g.out(), r.out());
                    assertMatches(c.name + " " + dt + " lse", g.lse(), r.lse());
                }
            }
        }
    }

    @Test
    void backwardMatchesCpu() {
        Case[] all = java.util.Arrays.copyOf(CASES, CASES.length + 1);
        all[CASES.length] = new Case("a batch item without keys", 2, 11, 13, 2, 8, 8, new int[] {0, 13}, false, null);
        for (Case c : all) {
            for (DType dt : TYPES) {
                try (Both q = random(dt, 1, c.b, c.lq, c.h, c.d); Both k = random(dt, 1, c.b, c.lk, c.h, c.d);
                     Both v = random(dt, 1, c.b, c.lk, c.h, c.dv); Both dOut = random(DType.F32, 1, c.b, c.lq, c.h, c.dv);
                     Both bias = biasFor(c)) {
                    AttentionSpec cs = spec(c, bias == null ? null : bias.c());
                    AttentionSpec gs = spec(c, bias == null ? null : bias.g());
                    try (AttentionWithLse fwd = cpu.attentionWithLse(q.c(), k.c(), v.c(), cs);
                         Tensor out = onGpu(fwd.out()); Tensor lse = onGpu(fwd.lse());
                         AttentionGrads g = gpu.attentionBackward(q.g(), k.g(), v.g(), out, lse, dOut.g(), gs);
                         AttentionGrads r = cpu.attentionBackward(q.c(), k.c(), v.c(), fwd.out(), fwd.lse(), dOut.c(), cs)) {
                        assertEquals(DType.F32, g.dq().dtype());
                        String at = c.name + " " + dt;
                        assertMatches(at + " dq", g.dq(), r.dq());
                        assertMatches(at + " dk", g.dk(), r.dk());
                        assertMatches(at + " dv", g.dv(), r.dv());
                    }
                }
            }
        }
    }
}
