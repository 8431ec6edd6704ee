package dev.surf.core.grad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Activation;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.TensorScope;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.testing.Numerics;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * {@link Tape#checkpoint}: the gradients of a checkpointed chain are those of the same chain recorded
 * directly (bit for bit where every variable is used once per segment, as here), the activations of a
 * segment are not held between forward and backward, parameters read only inside a segment still get
 * their gradients, and every tensor the inner tapes make is freed (the memory meter returns to zero).
 */
class TapeCheckpointTest {
    private static final CpuBackend BE = new CpuBackend(2);
    private static final int ROWS = 7;
    private static final int WIDTH = 24;
    private static final int HIDDEN = 96;

    @AfterAll
    static void close() {
        BE.close();
    }

    /** The weights of a chain of residual MLP blocks, x + W2 gelu(W1 x + b1). */
    private record Chain(Tensor x, Tensor[] w1, Tensor[] b1, Tensor[] w2, Tensor target) {
        static Chain random(TensorScope s, long seed, int blocks) {
            SplittableRandom rnd = new SplittableRandom(seed);
            Tensor[] w1 = new Tensor[blocks];
            Tensor[] b1 = new Tensor[blocks];
            Tensor[] w2 = new Tensor[blocks];
            for (int i = 0; i < blocks; i++) {
                w1[i] = t(s, rnd, 0.3, HIDDEN, WIDTH);
                b1[i] = t(s, rnd, 0.1, HIDDEN);
                w2[i] = t(s, rnd, 0.3, WIDTH, HIDDEN);
            }
            return new Chain(t(s, rnd, 1, ROWS, WIDTH), w1, b1, w2, t(s, rnd, 1, ROWS, WIDTH));
        }

        private static Tensor t(TensorScope s, SplittableRandom rnd, double scale, int... dims) {
            return s.track(BE.fromFloats(Numerics.uniform(rnd, (int) Shape.of(dims).numel(), scale), Shape.of(dims)));
        }
    }

    private static Variable block(Tape tape, Variable x, Variable w1, Variable b1, Variable w2) {
        Variable h = tape.linear(x, w1, b1, Activation.GELU_TANH);
        return tape.add(x, tape.linear(h, w2, null, Activation.NONE));
    }

    /** loss and every gradient (x first, then w1, b1, w2 per block) as float arrays; the tape is closed after. */
    private static float[][] gradients(Chain c, boolean checkpoint, boolean xNeedsGrad) {
        int blocks = c.w1().length;
        try (Tape tape = new Tape(BE)) {
            Variable x = tape.input(c.x(), xNeedsGrad);
            Variable[][] p = new Variable[blocks][];
            Variable s = x;
            for (int i = 0; i < blocks; i++) {
                Variable w1 = tape.parameter(c.w1()[i]);
                Variable b1 = tape.parameter(c.b1()[i]);
                Variable w2 = tape.parameter(c.w2()[i]);
                p[i] = new Variable[] {w1, b1, w2};
                s = checkpoint ? tape.checkpoint((t, in) -> block(t, in[0], w1, b1, w2), s) : block(tape, s, w1, b1, w2);
            }
            Variable loss = tape.mseLoss(s, tape.constant(c.target()));
            tape.backward(loss);
            float[][] out = new float[2 + 3 * blocks][];
            out[0] = BE.toFloats(loss.value());
            out[1] = x.grad() == null ? null : BE.toFloats(x.grad());
            for (int i = 0; i < blocks; i++) {
                for (int j = 0; j < 3; j++) {
                    out[2 + 3 * i + j] = BE.toFloats(p[i][j].grad());
                }
            }
            return out;
        }
    }

    @Test
    void checkpointedGradientsAreTheDirectOnesBitForBit() {
        try (TensorScope s = new TensorScope()) {
            Chain c = Chain.random(s, 11, 3);
            float[][] direct = gradients(c, false, true);
            float[][] ckpt = gradients(c, true, true);
            for (int i = 0; i < direct.length; i++) {
                assertArrayEquals(direct[i], ckpt[i], "gradient " + i);
            }
        }
    }

    @Test
    void parametersInsideASegmentGetGradientsWhenItsInputNeedsNone() {
        try (TensorScope s = new TensorScope()) {
            Chain c = Chain.random(s, 12, 2);
            float[][] direct = gradients(c, false, false);
            float[][] ckpt = gradients(c, true, false);
            assertNull(ckpt[1], "x needs no gradient");
            for (int i = 2; i < direct.length; i++) {
                assertArrayEquals(direct[i], ckpt[i], "gradient " + i);
            }
        }
    }

    @Test
    void nestedCheckpointsGiveTheSameGradients() {
        try (TensorScope s = new TensorScope()) {
            Chain c = Chain.random(s, 13, 2);
            float[][] direct = gradients(c, false, true);
            try (Tape tape = new Tape(BE)) {
                Variable x = tape.input(c.x(), true);
                Variable[] w = new Variable[6];
                for (int i = 0; i < 2; i++) {
                    w[3 * i] = tape.parameter(c.w1()[i]);
                    w[3 * i + 1] = tape.parameter(c.b1()[i]);
                    w[3 * i + 2] = tape.parameter(c.w2()[i]);
                }
                Variable y = tape.checkpoint((outer, in) -> {
                    Variable a = outer.checkpoint((inner, in2) -> block(inner, in2[0], w[0], w[1], w[2]), in[0]);
                    return block(outer, a, w[3], w[4], w[5]);
                }, x);
                tape.backward(tape.mseLoss(y, tape.constant(c.target())));
                assertArrayEquals(direct[1], BE.toFloats(x.grad()), "x");
                for (int i = 0; i < 6; i++) {
                    assertArrayEquals(direct[2 + i], BE.toFloats(w[i].grad()), "parameter " + i);
                }
            }
        }
    }

    @Test
    void segmentActivationsAreNotHeldAndEverythingIsFreed() {
        try (TensorScope s = new TensorScope()) {
            Chain c = Chain.random(s, 14, 4);
            long before = BE.memory().liveBytes();
            long[] held = new long[2];
            for (int mode = 0; mode < 2; mode++) {
                boolean ckpt = mode == 1;
                try (Tape tape = new Tape(BE)) {
                    Variable sv = tape.input(c.x(), true);
                    for (int i = 0; i < 4; i++) {
                        Variable w1 = tape.parameter(c.w1()[i]);
                        Variable b1 = tape.parameter(c.b1()[i]);
                        Variable w2 = tape.parameter(c.w2()[i]);
                        sv = ckpt ? tape.checkpoint((t, in) -> block(t, in[0], w1, b1, w2), sv) : block(tape, sv, w1, b1, w2);
                    }
                    held[mode] = BE.memory().liveBytes() - before;
                    tape.backward(tape.mseLoss(sv, tape.constant(c.target())));
                }
                assertEquals(before, BE.memory().liveBytes(), "every tensor of the tapes is freed (mode " + mode + ")");
            }
            long rowBytes = 4L * ROWS * WIDTH;
            // Direct: per block the hidden pre-activation and activation (2 x ROWS x HIDDEN), the
            // projection and the sum; checkpointed: one block output per block.
            assertEquals(4 * rowBytes, held[1], "a checkpointed chain holds its block outputs only");
            assertTrue(held[0] >= 4 * (2L * 4 * ROWS * HIDDEN + 2 * rowBytes), "direct holds the activations: " + held[0]);
        }
    }
}
