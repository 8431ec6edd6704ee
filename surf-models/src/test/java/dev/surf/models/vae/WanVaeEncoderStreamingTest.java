package dev.surf.models.vae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.testing.CountingBackend;
import dev.surf.core.testing.Fixtures;
import dev.surf.core.testing.Numerics;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Streaming encode: memory flat in the number of frames, and pushing chunks equals encoding the whole video. */
class WanVaeEncoderStreamingTest {
    private static CpuBackend cpu;

    @BeforeAll
    static void open() {
        cpu = new CpuBackend(2);
    }

    @AfterAll
    static void close() {
        cpu.close();
    }

    private static float[] video(int t, int h, int w) {
        return Numerics.uniform(new SplittableRandom(t), 3 * t * h * w, 1.0);
    }

    /** Peak bytes of live tensors while pushing a T-frame video chunk by chunk, beyond what existed before. */
    private static long peakEncodeBytes(int t) throws Exception {
        CountingBackend be = new CountingBackend(cpu);
        try (WanVaeEncoder vae = VaeCheckpoint.loadEncoder(Fixtures.path("wan-vae-enc-tiny.safetensors"), null, be);
             Tensor v = be.fromFloats(video(t, 16, 16), Shape.of(3, t, 16, 16))) {
            long before = be.liveBytes();
            be.resetPeak();
            int latents = 0;
            try (WanVaeEncoder.Stream s = vae.stream()) {
                for (int first = 0; first < t; first += first == 0 ? 1 : 4) {
                    try (Tensor chunk = be.narrow(v, 1, first, first == 0 ? 1 : 4); Tensor mu = s.push(chunk)) {
                        latents += mu.dim(1);
                    }
                }
            }
            assertEquals(1 + (t - 1) / 4, latents);
            assertEquals(before, be.liveBytes(), "the encoder must release every tensor it made");
            return be.peakBytes() - before;
        }
    }

    @Test
    void peakMemoryDoesNotGrowWithTheNumberOfFrames() throws Exception {
        long nine = peakEncodeBytes(9);
        long thirtyThree = peakEncodeBytes(33);
        double ratio = (double) thirtyThree / nine;
        System.out.printf("peak encode memory: T=9 %d bytes, T=33 %d bytes (ratio %.3f)%n", nine, thirtyThree, ratio);
        assertTrue(nine > 0);
        assertTrue(Math.abs(ratio - 1) < 0.05, "peak memory at T=33 is " + ratio + " x that at T=9");
    }

    @Test
    void pushingChunksEqualsEncodingTheWholeVideo() throws Exception {
        try (WanVaeEncoder vae = VaeCheckpoint.loadEncoder(Fixtures.path("wan-vae-enc-tiny.safetensors"), null, cpu);
             Tensor v = cpu.fromFloats(video(9, 8, 16), Shape.of(3, 9, 8, 16));
             Tensor whole = vae.encode(v)) {
            float[] all = cpu.toFloats(whole);
            int per = 16 * 1 * 2;
            try (WanVaeEncoder.Stream s = vae.stream()) {
                for (int i = 0; i < 3; i++) {
                    try (Tensor chunk = cpu.narrow(v, 1, i == 0 ? 0 : 1 + 4 * (i - 1), i == 0 ? 1 : 4); Tensor mu = s.push(chunk)) {
                        float[] part = cpu.toFloats(mu);
                        float[] expected = new float[per];
                        for (int c = 0; c < 16; c++) {
                            System.arraycopy(all, (c * 3 + i) * 2, expected, c * 2, 2);
                        }
                        assertArrayEquals(expected, part, "latent frame " + i);
                    }
                }
            }
        }
    }
}
