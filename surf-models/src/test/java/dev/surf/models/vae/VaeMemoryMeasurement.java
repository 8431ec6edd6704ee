package dev.surf.models.vae;

import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.testing.CountingBackend;
import dev.surf.models.weights.RandomWeights;
import java.util.SplittableRandom;
import dev.surf.core.testing.Numerics;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The measurement behind {@link VaeTiling#AUTO_PIXELS} (docs/vae.md, "Tiling"): peak bytes of live
 * tensors of the real-width Wan 2.1 decoder and encoder (random weights: memory does not depend on
 * values) at several frame sizes, untiled. Minutes of CPU, so it runs only with -Dsurf.measure=true.
 */
class VaeMemoryMeasurement {

    @Test
    void peakLiveBytesPerPixelOfTheRealWidthVae() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("surf.measure"), "measurement: run with -Dsurf.measure=true");
        try (CpuBackend cpu = new CpuBackend(2)) {
            CountingBackend be = new CountingBackend(cpu);
            try (WanVaeDecoder dec = WanVaeDecoder.load(new RandomWeights(1), be, WanVaeConfig.WAN21);
                 WanVaeEncoder enc = WanVaeEncoder.load(new RandomWeights(1), be, WanVaeConfig.WAN21)) {
                for (int side : new int[] {4, 8, 16, 32}) {
                    try (Tensor z = be.fromFloats(Numerics.uniform(new SplittableRandom(1), 16 * 2 * side * side, 1),
                            Shape.of(16, 2, side, side))) {
                        long before = be.liveBytes();
                        be.resetPeak();
                        long t0 = System.nanoTime();
                        dec.decode(z, (f, first) -> { });
                        long peak = be.peakBytes() - before;
                        double px = 64.0 * side * side;
                        System.out.printf("decode %4d px square, 2 latent frames: peak %,d bytes = %.0f bytes/pixel (%.1f s)%n",
                                8 * side, peak, peak / px, (System.nanoTime() - t0) / 1e9);
                    }
                    int p = 8 * side;
                    try (Tensor v = be.fromFloats(Numerics.uniform(new SplittableRandom(2), 3 * 5 * p * p, 1), Shape.of(3, 5, p, p))) {
                        long before = be.liveBytes();
                        be.resetPeak();
                        long t0 = System.nanoTime();
                        enc.encode(v).close();
                        long peak = be.peakBytes() - before;
                        System.out.printf("encode %4d px square, 5 frames: peak %,d bytes = %.0f bytes/pixel (%.1f s)%n",
                                p, peak, peak / (double) (p * p), (System.nanoTime() - t0) / 1e9);
                    }
                }
            }
        }
    }
}
