package dev.surf.models.sfv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.grad.Tape;
import dev.surf.core.grad.Variable;
import dev.surf.core.optim.AdamW;
import dev.surf.models.api.TextEmbedding;
import dev.surf.models.api.TinyModels;
import dev.surf.models.train.TrainingData;
import dev.surf.models.wan.WanModel;
import dev.surf.models.wan.WanTrainForward;
import dev.surf.models.weights.RandomWeights;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SF-V discriminator and trainer on the tiny model: the heads get gradients and the frozen
 * model's parameters none; the gradients of both losses agree with central differences; a run is
 * a function of its seeds and a resumed run continues it bit for bit.
 */
class SfvTrainerTest {
    private static final CpuBackend BE = new CpuBackend(2);
    private static final Shape LATENT = Shape.of(16, 2, 8, 8);
    private static final DiscriminatorHeads.Config HEADS = new DiscriminatorHeads.Config(new int[] {0, 1}, 8);

    @TempDir
    Path dir;

    @AfterAll
    static void close() {
        BE.close();
    }

    private static WanModel tiny() throws Exception {
        return WanModel.load(new RandomWeights(TinyModels.BASE_SEED), BE, TinyModels.BASE);
    }

    private static Tensor normal(long seed, long offset) {
        Tensor t = BE.empty(DType.F32, LATENT);
        BE.fillNormal(t, seed, offset);
        return t;
    }

    private static Tensor context(String prompt) {
        return TextEmbedding.standIn(prompt, TinyModels.BASE.textDim(), 6).upload(BE);
    }

    /** Random latents as the data: pairs carry noise as the source and a random "teacher sample". */
    private record Data(int n, boolean pairs) implements TrainingData {
        @Override
        public int size() {
            return n;
        }

        @Override
        public Example get(int index, Backend be) {
            Tensor latent = normal(pairs ? 100 : 200, (long) index << 20);
            Tensor ctx = context("prompt " + index);
            return pairs ? new Example(latent, ctx, normal(300, (long) index << 20)) : new Example(latent, ctx);
        }
    }

    @Test
    void headsSeeGradientsAndTheFrozenModelDoesNot() throws Exception {
        try (WanModel teacher = tiny(); DiscriminatorHeads heads = new DiscriminatorHeads(BE, HEADS, TinyModels.BASE.dim(), 5);
             Tensor latent = normal(1, 0); Tensor ctxT = context("a blue square moving up"); Tape tape = new Tape(BE)) {
            WanTrainForward frozen = new WanTrainForward(teacher, n -> false);
            Variable x = tape.input(latent, true);
            WanTrainForward.Features f = frozen.features(tape, x, 500f, tape.constant(ctxT), HEADS.depth());
            DiscriminatorHeads.Pass pass = heads.logits(tape, f, true);
            assertEquals(4, pass.logits().size(), "a spatial and a temporal head on each of two blocks");
            for (Variable l : pass.logits()) {
                assertEquals(Shape.of(1, 2, 4, 4), l.shape(), "one logit per token of the 2 x 4 x 4 patch grid");
            }
            tape.backward(HingeLoss.generator(tape, pass.logits()));
            for (var e : pass.parameters().entrySet()) {
                assertNotNull(e.getValue().grad(), e.getKey() + " has no gradient");
                assertTrue(maxAbs(BE.toFloats(e.getValue().grad())) > 0, e.getKey() + " has a zero gradient");
            }
            for (var e : f.parameters().entrySet()) {
                assertFalse(e.getValue().requiresGrad(), e.getKey() + " of the frozen model requires a gradient");
                assertNull(e.getValue().grad(), e.getKey() + " of the frozen model got a gradient");
            }
            assertTrue(maxAbs(BE.toFloats(x.grad())) > 0, "the gradient must reach the judged latent");
        }
    }

    @Test
    void discriminatorLossGradientOfAHeadBiasMatchesCentralDifferences() throws Exception {
        try (WanModel teacher = tiny(); DiscriminatorHeads heads = new DiscriminatorHeads(BE, HEADS, TinyModels.BASE.dim(), 6);
             Tensor real = normal(2, 0); Tensor fake = normal(3, 0); Tensor epsR = normal(4, 0); Tensor epsF = normal(5, 0);
             Tensor ctxT = context("a red circle moving left")) {
            SfvDiscriminator d = new SfvDiscriminator(teacher, heads);
            String name = "heads.1.temporal.2.bias";
            Tensor bias = heads.parameters().get(name).master();
            DoubleUnaryOperator loss = b -> {
                BE.copy(BE.fromFloats(new float[] {(float) b}, Shape.of(1)), bias);
                try (Tape tape = new Tape(BE)) {
                    Variable c = tape.constant(ctxT);
                    return BE.toFloats(HingeLoss.discriminator(tape, d.judge(tape, tape.constant(real), 0.4f, epsR, c, true).logits(),
                            d.judge(tape, tape.constant(fake), 0.6f, epsF, c, true).logits()).value())[0];
                }
            };
            float b0 = BE.toFloats(bias)[0];
            double analytic;
            try (Tape tape = new Tape(BE)) {
                Variable c = tape.constant(ctxT);
                DiscriminatorHeads.Pass r = d.judge(tape, tape.constant(real), 0.4f, epsR, c, true);
                DiscriminatorHeads.Pass g = d.judge(tape, tape.constant(fake), 0.6f, epsF, c, true);
                tape.backward(HingeLoss.discriminator(tape, r.logits(), g.logits()));
                analytic = BE.toFloats(r.parameters().get(name).grad())[0] + BE.toFloats(g.parameters().get(name).grad())[0];
            }
            double h = 1e-3;
            double numeric = (loss.applyAsDouble(b0 + h) - loss.applyAsDouble(b0 - h)) / (2 * h);
            loss.applyAsDouble(b0);
            assertEquals(numeric, analytic, 2e-3 * Math.max(1, Math.abs(numeric)), "d L_D / d " + name);
        }
    }

    @Test
    void generatorLossGradientOfTheLatentMatchesADirectionalDifference() throws Exception {
        try (WanModel teacher = tiny(); DiscriminatorHeads heads = new DiscriminatorHeads(BE, HEADS, TinyModels.BASE.dim(), 7);
             Tensor latent = normal(6, 0); Tensor dir = normal(7, 0); Tensor eps = normal(8, 0);
             Tensor ctxT = context("a green triangle moving right")) {
            SfvDiscriminator d = new SfvDiscriminator(teacher, heads);
            float[] x0 = BE.toFloats(latent);
            float[] dv = BE.toFloats(dir);
            DoubleUnaryOperator loss = a -> {
                float[] x = x0.clone();
                for (int i = 0; i < x.length; i++) {
                    x[i] += (float) (a * dv[i]);
                }
                try (Tape tape = new Tape(BE); Tensor xt = BE.fromFloats(x, LATENT)) {
                    return BE.toFloats(HingeLoss.generator(tape, d.judge(tape, tape.constant(xt), 0.5f, eps,
                            tape.constant(ctxT), false).logits()).value())[0];
                }
            };
            double analytic = 0;
            try (Tape tape = new Tape(BE)) {
                Variable x = tape.input(latent, true);
                tape.backward(HingeLoss.generator(tape, d.judge(tape, x, 0.5f, eps, tape.constant(ctxT), false).logits()));
                float[] g = BE.toFloats(x.grad());
                for (int i = 0; i < g.length; i++) {
                    analytic += (double) g[i] * dv[i];
                }
            }
            double h = 1e-2;
            double numeric = (loss.applyAsDouble(h) - loss.applyAsDouble(-h)) / (2 * h);
            assertEquals(numeric, analytic, 1e-2 * Math.abs(numeric) + 1e-6, "directional derivative of L_G");
        }
    }

    private static SfvTrainer.Config config() {
        return new SfvTrainer.Config(AdamW.Config.torchDefaults(1e-4), AdamW.Config.torchDefaults(2e-4), 1.0, 0.9, 0.5, 5.0,
                null, 11, 12);
    }

    private static List<double[]> run(int steps, Path saveAt, Path resumeFrom) throws Exception {
        List<double[]> out = new ArrayList<>();
        try (WanModel teacher = tiny(); WanModel gen = tiny();
             DiscriminatorHeads heads = new DiscriminatorHeads(BE, HEADS, TinyModels.BASE.dim(), 9);
             SfvTrainer t = new SfvTrainer(gen, teacher, heads, config(), new Data(3, true), new Data(4, false))) {
            if (resumeFrom != null) {
                t.resume(resumeFrom);
            }
            for (int i = 0; i < steps; i++) {
                SfvTrainer.Losses l = t.step();
                out.add(new double[] {l.generatorAdversarial(), l.regression(), l.discriminator()});
            }
            if (saveAt != null) {
                t.save(saveAt);
            }
            out.add(toDouble(BE.toFloats(t.generatorParameters().get("head.head.weight").master())));
        }
        return out;
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    @Test
    void aRunIsAFunctionOfItsSeedsAndResumesExactly() throws Exception {
        List<double[]> a = run(3, null, null);
        List<double[]> b = run(3, null, null);
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i), b.get(i), 0.0, "row " + i + " of two runs with the same seeds");
        }
        for (int i = 0; i < 3; i++) {
            assertTrue(Double.isFinite(a.get(i)[0]) && Double.isFinite(a.get(i)[1]) && Double.isFinite(a.get(i)[2]),
                    "losses of step " + i);
        }
        Path ck = dir.resolve("ck");
        run(2, ck, null);
        List<double[]> resumed = run(1, null, ck);
        assertArrayEquals(a.get(2), resumed.get(0), 0.0, "step 3 after resuming at step 2");
        assertArrayEquals(a.get(3), resumed.get(1), 0.0, "generator weights after resuming");
    }

    private static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
