package dev.surf.models.vae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.safetensors.WeightStore;
import dev.surf.core.testing.CountingBackend;
import dev.surf.core.testing.Fixtures;
import dev.surf.core.testing.Numerics;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Streaming decode (one latent frame at a time, per-conv time caches) against an independent
 * whole-sequence decoder, and the memory it holds: flat in the number of frames.
 */
class WanVaeStreamingTest {
    private static CpuBackend cpu;
    private static WeightStore store;
    private static WanVaeConfig cfg;

    @BeforeAll
    static void open() throws Exception {
        cpu = new CpuBackend(2);
        store = WeightStore.open(Fixtures.path("wan-vae-tiny.safetensors"));
        cfg = WanVaeConfig.fromJson(Fixtures.path("wan-vae-tiny.json"));
    }

    @AfterAll
    static void close() {
        store.close();
        cpu.close();
    }

    private static float[] latent(long seed, int t, int h, int w) {
        return Numerics.uniform(new SplittableRandom(seed), 16 * t * h * w, 2.0);
    }

    @Test
    void streamingEqualsTheFullSequenceFormulation() throws Exception {
        try (WanVaeDecoder vae = VaeCheckpoint.load(Fixtures.path("wan-vae-tiny.safetensors"), Fixtures.path("wan-vae-tiny.json"), cpu)) {
            for (int[] dims : new int[][] {{5, 3, 4}, {1, 2, 3}, {2, 4, 2}}) {
                try (Tensor z = cpu.fromFloats(latent(dims[0], dims[0], dims[1], dims[2]), Shape.of(16, dims[0], dims[1], dims[2]));
                     Tensor streamed = vae.decodeAll(z, false);
                     Tensor whole = new FullSequenceReference(cpu, store).decode(z)) {
                    assertEquals(FullSequenceReference.videoShape(z), whole.shape());
                    assertEquals(whole.shape(), streamed.shape());
                    double err = Numerics.relError(cpu.toFloats(streamed), cpu.toFloats(whole));
                    System.out.printf("T=%d: streaming vs full sequence rel. error %.2e%n", dims[0], err);
                    assertTrue(err <= 1e-6, "T=" + dims[0] + ": streaming differs from the full sequence by " + err);
                }
            }
        }
    }

    /** Peak bytes of live tensors while decoding T latent frames, beyond what existed before. */
    private static long peakDecodeBytes(int t) throws Exception {
        CountingBackend be = new CountingBackend(cpu);
        try (WanVaeDecoder vae = VaeCheckpoint.load(Fixtures.path("wan-vae-tiny.safetensors"), Fixtures.path("wan-vae-tiny.json"), be);
             Tensor z = be.fromFloats(latent(t, t, 2, 3), Shape.of(16, t, 2, 3))) {
            long before = be.liveBytes();
            be.resetPeak();
            int[] frames = {0};
            vae.decode(z, (f, first) -> frames[0] += f.dim(1));
            assertEquals(cfg.outputFrames(t), frames[0]);
            assertEquals(before, be.liveBytes(), "the decoder must release every tensor it made");
            return be.peakBytes() - before;
        }
    }

    @Test
    void peakMemoryDoesNotGrowWithTheNumberOfFrames() throws Exception {
        long two = peakDecodeBytes(2);
        long eight = peakDecodeBytes(8);
        double ratio = (double) eight / two;
        System.out.printf("peak decode memory: T=2 %d bytes, T=8 %d bytes (ratio %.3f)%n", two, eight, ratio);
        assertTrue(two > 0);
        assertTrue(Math.abs(ratio - 1) < 0.2, "peak memory at T=8 is " + ratio + " x that at T=2");
    }
}
