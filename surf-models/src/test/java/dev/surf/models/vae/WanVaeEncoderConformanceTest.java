package dev.surf.models.vae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.safetensors.SafetensorsFile;
import dev.surf.core.testing.Fixtures;
import dev.surf.core.testing.Numerics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * shared/conformance/wan-vae-enc-tiny (the official WanVAE_ encoder with dim 8 on random weights, F32
 * on the CPU, {@code WanVAE.encode} with the 16 constants): normalised mu within 1e-5 relative error,
 * case a (5 frames 16x16: chunks of 1 and 4) and case b (1 frame 8x24: the first chunk alone).
 */
class WanVaeEncoderConformanceTest {
    private static final double TOL = 1e-5;
    private static CpuBackend be;
    private static WanVaeEncoder vae;
    private static SafetensorsFile cases;

    @BeforeAll
    static void load() throws Exception {
        be = new CpuBackend(2);
        vae = VaeCheckpoint.loadEncoder(Fixtures.path("wan-vae-enc-tiny.safetensors"),
                Fixtures.path("wan-vae-enc-tiny.json"), be);
        cases = SafetensorsFile.open(Fixtures.path("wan-vae-enc-tiny-cases.safetensors"));
    }

    @AfterAll
    static void close() {
        vae.close();
        cases.close();
        be.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "b"})
    void muMatchesTheOfficialEncoder(String c) throws Exception {
        try (Tensor video = cases.read(be, c + ".video"); Tensor ref = cases.read(be, c + ".mu")) {
            long start = System.nanoTime();
            try (Tensor mu = vae.encode(video)) {
                double ms = (System.nanoTime() - start) / 1e6;
                assertEquals(ref.shape(), mu.shape());
                double err = Numerics.relError(be.toFloats(mu), be.toFloats(ref));
                System.out.printf("case %s mu rel. error %.2e (encode %.1f ms)%n", c, err, ms);
                assertTrue(err <= TOL, "case " + c + ": mu relative error " + err + " > " + TOL);
            }
        }
    }

    @Test
    void theConfigurationIsInferredFromTheShapesWithoutAFile() throws Exception {
        try (WanVaeEncoder inferred = VaeCheckpoint.loadEncoder(Fixtures.path("wan-vae-enc-tiny.safetensors"), null, be);
             Tensor video = cases.read(be, "b.video"); Tensor ref = cases.read(be, "b.mu");
             Tensor mu = inferred.encode(video)) {
            assertEquals(8, inferred.config().dim());
            assertTrue(Numerics.relError(be.toFloats(mu), be.toFloats(ref)) <= TOL);
        }
    }

    @Test
    void wrongFrameCountsAndSizesAreRefusedWithTheRule() throws Exception {
        try (Tensor six = be.zeros(dev.surf.core.DType.F32, Shape.of(3, 6, 16, 16));
             Tensor odd = be.zeros(dev.surf.core.DType.F32, Shape.of(3, 1, 12, 16))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> vae.encode(six));
            assertTrue(e.getMessage().contains("1 + 4k"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> vae.encode(odd));
            assertTrue(e.getMessage().contains("multiples of 8"), e.getMessage());
        }
    }
}
