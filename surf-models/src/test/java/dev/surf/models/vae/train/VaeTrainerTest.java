package dev.surf.models.vae.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.optim.AdamW;
import dev.surf.core.optim.LrSchedule;
import dev.surf.core.testing.Numerics;
import dev.surf.models.vae.VaeCheckpoint;
import dev.surf.models.vae.WanVaeConfig;
import dev.surf.models.vae.WanVaeDecoder;
import dev.surf.models.vae.WanVaeEncoder;
import dev.surf.models.weights.Checkpoint;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The VAE trainer on a micro VAE and flat-colour clips: repeatable, learns, resumes exactly, writes loadable weights. */
class VaeTrainerTest {
    /** Width 4, one residual block per level: the whole architecture at a size that trains in seconds. */
    static final WanVaeConfig MICRO = new WanVaeConfig(4, 16, new int[] {1, 2, 2, 2}, 1, new boolean[] {false, true, true});

    private static CpuBackend be;

    @BeforeAll
    static void open() {
        be = new CpuBackend(2);
    }

    @AfterAll
    static void close() {
        be.close();
    }

    static VaeTrainer.Config config(long seed, int batch) {
        return new VaeTrainer.Config(AdamW.Config.torchDefaults(1e-2), LrSchedule.constant(1e-2, 3), 1.0, batch, 16, 16, 5, 0.1, seed);
    }

    /** Two of three clips per step, 9-frame 24x24 clips so the crops move in time and space. */
    private static VaeTrainer trainer(long seed) throws Exception {
        return new VaeTrainer(MICRO, be, new VaeInit(seed), config(seed, 2), new ConstantClips(9, 24, 3));
    }

    @Test
    void aRunRepeatsBitForBit() throws Exception {
        double[] a = new double[3];
        double[] b = new double[3];
        try (VaeTrainer t = trainer(4)) {
            for (int i = 0; i < a.length; i++) {
                a[i] = t.step().total();
            }
        }
        try (VaeTrainer t = trainer(4)) {
            for (int i = 0; i < b.length; i++) {
                b[i] = t.step().total();
            }
        }
        assertArrayEquals(a, b);
    }

    /**
     * Red, black and mid gray (exactly 0, whose features start at the biases alone: with zero biases
     * the RMS norm's gradient there is 1/eps and the run does not learn), all three every step, so
     * the loss is that of one fixed batch and must fall steadily.
     */
    @Test
    void theLossFallsOnFlatColourClips() throws Exception {
        try (VaeTrainer t = new VaeTrainer(MICRO, be, new VaeInit(1), config(1, 3), new ConstantClips(5, 16, 3))) {
            double first = 0;
            double last = 0;
            int steps = 30;
            for (int i = 0; i < steps; i++) {
                VaeTrainer.Losses l = t.step();
                assertTrue(Double.isFinite(l.gradNorm()), "step " + (i + 1) + ": gradient norm " + l.gradNorm());
                if (i == 0) {
                    first = l.total();
                }
                last = l.total();
                if (i == 0 || i == steps - 1 || Boolean.getBoolean("vae.train.print")) {
                    System.out.printf("VAE trainer step %d: loss %.5f (L1 %.5f, MSE %.5f, moment %.5f), %.2f s forward, %.2f s backward%n",
                            i + 1, l.total(), l.l1(), l.mse(), l.moment(), l.forwardSeconds(), l.backwardSeconds());
                }
            }
            assertTrue(last < 0.6 * first, "loss after " + steps + " steps " + last + " is not below 0.6 x the first " + first);
        }
    }

    @Test
    void resumingContinuesTheRunExactly(@TempDir Path dir) throws Exception {
        double[] straight = new double[4];
        float[] weights;
        try (VaeTrainer t = trainer(2)) {
            for (int i = 0; i < 4; i++) {
                straight[i] = t.step().total();
            }
            weights = be.toFloats(t.weights().get("decoder.head.2.weight"));
        }
        Path ckpt = dir.resolve("checkpoint.safetensors");
        double[] resumed = new double[4];
        try (VaeTrainer t = trainer(2)) {
            resumed[0] = t.step().total();
            resumed[1] = t.step().total();
            t.save(ckpt);
        }
        try (VaeTrainer t = trainer(2)) {
            t.resume(ckpt);
            assertEquals(2, t.stepCount());
            resumed[2] = t.step().total();
            resumed[3] = t.step().total();
            assertArrayEquals(weights, be.toFloats(t.weights().get("decoder.head.2.weight")));
        }
        assertArrayEquals(straight, resumed);
    }

    /** The written file is an official-name Wan-VAE that the inference encoder and decoder load and that encodes as trained. */
    @Test
    void writtenWeightsLoadInTheInferenceEncoderAndDecoder(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("vae.safetensors");
        Shape xs = Shape.of(3, 5, 16, 16);
        try (VaeTrainer t = trainer(3); Tensor x = be.fromFloats(Numerics.uniform(new SplittableRandom(1), (int) xs.numel(), 1), xs)) {
            t.step();
            t.writeWeights(file);
            Map<String, Tensor> w = t.weights();
            try (WanVaeEncoder enc = Checkpoint.load(file, c -> WanVaeEncoder.load(VaeCheckpoint.weights(c, MICRO), be, MICRO));
                 WanVaeDecoder dec = Checkpoint.load(file, c -> WanVaeDecoder.load(VaeCheckpoint.weights(c, MICRO), be, MICRO));
                 Tensor mu = enc.encode(x); Tensor out = dec.decodeAll(mu, false);
                 dev.surf.core.grad.Tape tape = new dev.surf.core.grad.Tape(be)) {
                VaeTrainForward f = new VaeTrainForward(MICRO);
                VaeTapeParams p = new VaeTapeParams(tape, w, n -> false);
                dev.surf.core.grad.Variable z = f.encode(p, tape.constant(x));
                Numerics.assertClose("encoder from the written file", be.toFloats(mu), be.toFloats(z.value()), 1e-5);
                Numerics.assertClose("decoder from the written file", be.toFloats(out), be.toFloats(f.decode(p, z).value()), 1e-5);
            }
        }
    }

    /** The tint: one shift per channel within [-tint, tint), clamped to [-1, 1], a function of the example counter. */
    @Test
    void tintShiftsEachChannelByOneClampedAmount() throws Exception {
        VaeTrainer.Config c = config(4, 1);
        VaeTrainer.Config tinted = new VaeTrainer.Config(c.adam(), c.schedule(), c.clipNorm(), 1, 16, 16, 5, 0, 0, 0, 0.5, 4);
        float[] x = new float[3 * 8];
        for (int i = 0; i < x.length; i++) {
            x[i] = i % 8 == 0 ? 1f : -0.25f + 0.01f * i;
        }
        try (VaeTrainer t = new VaeTrainer(MICRO, be, new VaeInit(4), tinted, new ConstantClips(9, 24, 3))) {
            float[] a = t.tinted(x, 7);
            assertArrayEquals(a, t.tinted(x, 7), "the same example gets the same tint");
            boolean differs = false;
            float[] b = t.tinted(x, 8);
            for (int ch = 0; ch < 3; ch++) {
                double shift = a[ch * 8 + 1] - x[ch * 8 + 1];
                assertTrue(Math.abs(shift) <= 0.5, "shift " + shift);
                for (int k = 1; k < 8; k++) {
                    assertEquals(x[ch * 8 + k] + shift, a[ch * 8 + k], 1e-6, "one shift per channel");
                }
                assertEquals(Math.min(1, 1 + shift), a[ch * 8], 1e-6, "clamped at 1");
                differs |= b[ch * 8 + 1] != a[ch * 8 + 1];
            }
            assertTrue(differs, "another example gets another tint");
        }
    }
}
