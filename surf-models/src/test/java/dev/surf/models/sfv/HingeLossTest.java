package dev.surf.models.sfv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.surf.core.Shape;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.grad.Tape;
import dev.surf.core.grad.Variable;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Both hinge losses against their relu definitions in double, with gradients, over two heads of unequal size. */
class HingeLossTest {
    private static final CpuBackend BE = new CpuBackend(1);

    @AfterAll
    static void close() {
        BE.close();
    }

    private static float[] logits(SplittableRandom rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (rnd.nextDouble(-3, 3));
            if (Math.abs(Math.abs(a[i]) - 1) < 0.02) {
                a[i] *= 1.1f; // keep away from the kinks at +-1
            }
        }
        return a;
    }

    @Test
    void discriminatorAndGeneratorLossesAreTheReluForms() {
        SplittableRandom rnd = new SplittableRandom(71);
        float[][] real = {logits(rnd, 12), logits(rnd, 30)};
        float[][] fake = {logits(rnd, 12), logits(rnd, 30)};
        double dRef = 0;
        double gRef = 0;
        for (int h = 0; h < 2; h++) {
            double r = 0;
            double f = 0;
            double g = 0;
            for (int i = 0; i < real[h].length; i++) {
                r += Math.max(0, 1 - real[h][i]);
                f += Math.max(0, 1 + fake[h][i]);
                g += fake[h][i];
            }
            dRef += (r + f) / real[h].length / 2;
            gRef += -g / fake[h].length / 2;
        }
        try (Tape tape = new Tape(BE)) {
            List<Variable> rv = List.of(input(tape, real[0]), input(tape, real[1]));
            List<Variable> fv = List.of(input(tape, fake[0]), input(tape, fake[1]));
            Variable d = HingeLoss.discriminator(tape, rv, fv);
            assertEquals(dRef, BE.toFloats(d.value())[0], 1e-5);
            tape.backward(d);
            // d/dr = -1/(n_h H) where r < 1, else 0; d/df = +1/(n_h H) where f > -1
            for (int h = 0; h < 2; h++) {
                float[] gr = BE.toFloats(rv.get(h).grad());
                float[] gf = BE.toFloats(fv.get(h).grad());
                for (int i = 0; i < gr.length; i++) {
                    double n = real[h].length * 2.0;
                    assertEquals(real[h][i] < 1 ? -1 / n : 0, gr[i], 1e-7, "d L_D / d real[" + h + "][" + i + "]");
                    assertEquals(fake[h][i] > -1 ? 1 / n : 0, gf[i], 1e-7, "d L_D / d fake[" + h + "][" + i + "]");
                }
            }
        }
        try (Tape tape = new Tape(BE)) {
            List<Variable> fv = List.of(input(tape, fake[0]), input(tape, fake[1]));
            Variable g = HingeLoss.generator(tape, fv);
            assertEquals(gRef, BE.toFloats(g.value())[0], 1e-5);
            tape.backward(g);
            for (int h = 0; h < 2; h++) {
                for (float v : BE.toFloats(fv.get(h).grad())) {
                    assertEquals(-1 / (fake[h].length * 2.0), v, 1e-7);
                }
            }
        }
    }

    private static Variable input(Tape tape, float[] a) {
        return tape.input(tape.backend().fromFloats(a, Shape.of(1, a.length)), true);
    }
}
