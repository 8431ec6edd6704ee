package dev.surf.models.vae.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.surf.core.Backend;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.testing.Numerics;
import dev.surf.models.vae.VaeCheckpoint;
import dev.surf.models.vae.WanVaeDecoder;
import dev.surf.models.vae.WanVaeEncoder;
import dev.surf.models.weights.Checkpoint;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Folding latent statistics into a VAE: the folded encoder gives (z - m) / s of the unfolded one, the
 * folded decoder makes the same video of it, and measured statistics give unit latents.
 */
class VaeLatentStandardizerTest {
    private static final int CLIPS = 3;
    private static CpuBackend be;

    @BeforeAll
    static void open() {
        be = new CpuBackend(2);
    }

    @AfterAll
    static void close() {
        be.close();
    }

    /** Random (not flat) clips [3, 5, 16, 16] in [-1, 1], so every latent channel varies. */
    private static final VaeClips RANDOM = new VaeClips() {
        @Override
        public int size() {
            return CLIPS;
        }

        @Override
        public Tensor frames(int index, Backend b) {
            Shape s = Shape.of(3, 5, 16, 16);
            return b.fromFloats(Numerics.uniform(new SplittableRandom(100 + index), (int) s.numel(), 1), s);
        }
    };

    private static WanVaeEncoder encoder(Path file) throws Exception {
        return Checkpoint.load(file, c -> WanVaeEncoder.load(VaeCheckpoint.weights(c, VaeTrainerTest.MICRO), be, VaeTrainerTest.MICRO));
    }

    private static WanVaeDecoder decoder(Path file) throws Exception {
        return Checkpoint.load(file, c -> WanVaeDecoder.load(VaeCheckpoint.weights(c, VaeTrainerTest.MICRO), be, VaeTrainerTest.MICRO));
    }

    /** A trainer one step past its random init (so no weight is at a special value). */
    private static VaeTrainer trained() throws Exception {
        VaeTrainer t = new VaeTrainer(VaeTrainerTest.MICRO, be, new VaeInit(5), VaeTrainerTest.config(5, 1), new ConstantClips(9, 24, 3));
        t.step();
        return t;
    }

    /** For any statistics (one channel constant): z' = (z - m) / s (a constant channel only centred), same decode. */
    @Test
    void foldedWeightsMoveTheLatentAndKeepTheReconstruction(@TempDir Path dir) throws Exception {
        SplittableRandom rnd = new SplittableRandom(9);
        double[] m = new double[16];
        double[] s = new double[16];
        for (int c = 0; c < 16; c++) {
            m[c] = rnd.nextDouble() * 4 - 2;
            s[c] = 0.05 + rnd.nextDouble() * 3;
        }
        s[3] = 0;
        VaeLatentStandardizer.Stats stats = new VaeLatentStandardizer.Stats(m, s, 1);
        Path raw = dir.resolve("raw.safetensors");
        Path folded = dir.resolve("folded.safetensors");
        try (VaeTrainer t = trained()) {
            t.writeWeights(raw);
            t.writeWeights(folded, stats);
        }
        try (WanVaeEncoder e0 = encoder(raw); WanVaeEncoder e1 = encoder(folded); WanVaeDecoder d0 = decoder(raw);
             WanVaeDecoder d1 = decoder(folded); Tensor x = RANDOM.frames(0, be); Tensor z0 = e0.encode(x); Tensor z1 = e1.encode(x);
             Tensor y0 = d0.decodeAll(z0, false); Tensor y1 = d1.decodeAll(z1, false)) {
            float[] a = be.toFloats(z0);
            double[] expected = new double[a.length];
            int per = a.length / 16;
            for (int i = 0; i < a.length; i++) {
                int c = i / per;
                expected[i] = (a[i] - m[c]) / (c == 3 ? 1 : s[c]);
            }
            Numerics.assertClose("folded encoder vs (z - m) / s", be.toFloats(z1), expected, 1e-5);
            Numerics.assertClose("folded decoder of z' vs the decoder of z", be.toFloats(y1), be.toFloats(y0), 1e-5);
        }
    }

    /** Statistics measured over the clips, folded in: the clips' latents then have mean 0 and deviation 1 per channel. */
    @Test
    void measuredStatisticsGiveUnitLatents(@TempDir Path dir) throws Exception {
        Path raw = dir.resolve("raw.safetensors");
        Path folded = dir.resolve("folded.safetensors");
        int[] told = new int[1];
        try (VaeTrainer t = trained()) {
            t.writeWeights(raw);
            VaeLatentStandardizer.Stats stats;
            try (WanVaeEncoder e0 = encoder(raw)) {
                stats = VaeLatentStandardizer.measure(e0, RANDOM, 10, (done, total) -> {
                    assertEquals(CLIPS, total);
                    told[0] = done;
                });
            }
            assertEquals(CLIPS, stats.clips(), "the count is capped at the clips there are");
            assertEquals(CLIPS, told[0]);
            t.writeWeights(folded, stats);
        }
        try (WanVaeEncoder e1 = encoder(folded)) {
            UnitLatents.assertUnit(e1, RANDOM, CLIPS, 1e-4);
        }
    }
}
