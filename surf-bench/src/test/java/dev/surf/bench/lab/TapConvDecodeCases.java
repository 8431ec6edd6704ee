package dev.surf.bench.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Backend;
import dev.surf.core.Tensor;
import dev.surf.core.safetensors.SafetensorsFile;
import dev.surf.core.testing.Fixtures;
import dev.surf.core.testing.Numerics;
import dev.surf.models.vae.VaeCheckpoint;
import dev.surf.models.vae.WanVaeDecoder;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The wan-vae-tiny fixtures (the official WanVAE_ decoder's raw output and video) decoded with every
 * convolution computed by {@link TapGemmConv3d} ({@link TapConvBackend}) on a backend's GEMM and copy
 * ops: the composition through the whole decoder (causal caches, upsampling, 1x1x1 shortcuts, the
 * head). The CPU backend runs it in WanVaeTapConvTest, the CUDA backend in TapGemmConv3dGpuTest.
 *
 * <p>Bounds: F32 operands within the F32 tolerance of WanVaeConformanceTest (measured 1.7e-6 ..
 * 1.9e-6 on the CPU). BF16 operands: rounding x and W of every convolution to bf16 (2^-9 relative each)
 * compounds over the decoder's chained convolutions to 1.5e-2 .. 1.6e-2 on these random-weight fixtures
 * (measured 2026-11-22, CPU and H100 alike), and the bound is 2e-2. Split BF16 operands (hi Hi + lo Hi +
 * hi Lo) measure 2.7e-5 .. 2.9e-5 and are held to the F32 bound. A dropped tap or channel slice is 0.1
 * or more.
 */
abstract class TapConvDecodeCases {

    /** The backend the decoder and its tap-GEMM convolutions run on. */
    abstract Backend backend();

    @ParameterizedTest
    @CsvSource({"a, taps, 1e-4", "b, taps, 1e-4", "a, taps-bf16, 2e-2", "b, taps-bf16, 2e-2", "a, taps-bf16x3, 1e-4",
        "b, taps-bf16x3, 1e-4"})
    void decodesTheVaeFixturesLikeTheOfficialDecoder(String c, String operands, double tol) throws Exception {
        Backend host = backend();
        AtomicLong convs = new AtomicLong();
        Backend be = TapConvBackend.wrap(host, operands, convs);
        try (SafetensorsFile cases = SafetensorsFile.open(Fixtures.path("wan-vae-tiny-cases.safetensors"));
             WanVaeDecoder vae = VaeCheckpoint.load(Fixtures.path("wan-vae-tiny.safetensors"), Fixtures.path("wan-vae-tiny.json"), be);
             Tensor z = cases.read(host, c + ".z"); Tensor rawRef = cases.read(host, c + ".raw");
             Tensor videoRef = cases.read(host, c + ".video")) {
            try (Tensor raw = vae.decodeAll(z, false)) {
                assertEquals(rawRef.shape(), raw.shape());
                double err = Numerics.relError(host.toFloats(raw), host.toFloats(rawRef));
                System.out.printf("%s, tap GEMMs (%s) case %s: %d convolutions, raw rel. error %.2e%n", host.name(), operands,
                        c, convs.get(), err);
                assertTrue(err <= tol, operands + " case " + c + ": raw relative error " + err + " > " + tol);
            }
            try (Tensor video = vae.decodeAll(z, true)) {
                double err = Numerics.relError(host.toFloats(video), host.toFloats(videoRef));
                assertTrue(err <= tol, operands + " case " + c + ": video relative error " + err + " > " + tol);
            }
            assertTrue(convs.get() > 10, "the decoder's convolutions should go through the lab, saw " + convs.get());
        }
    }
}
