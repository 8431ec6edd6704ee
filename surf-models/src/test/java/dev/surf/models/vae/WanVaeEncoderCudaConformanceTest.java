package dev.surf.models.vae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Backends;
import dev.surf.core.Tensor;
import dev.surf.core.safetensors.SafetensorsFile;
import dev.surf.core.testing.Fixtures;
import dev.surf.core.testing.Numerics;
import dev.surf.cuda.ConvPath;
import dev.surf.cuda.CudaBackend;
import dev.surf.cuda.CudaBackendProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The encoder fixtures (wan-vae-enc-tiny, the official encoder in F32 on the CPU) through the CUDA
 * backend, streaming with the time cache and the phase-split stride-2 convolutions. DIRECT is the
 * CPU's arithmetic, so it keeps the CPU test's 1e-5; IGEMM multiplies on TF32 tensor cores and gets
 * the decoder test's 1e-2 (TF32 rounding compounding through ~20 convolutions). Skipped without a GPU.
 */
@Tag("gpu")
class WanVaeEncoderCudaConformanceTest {
    private static CudaBackend be;
    private static WanVaeEncoder vae;
    private static SafetensorsFile cases;

    @BeforeAll
    static void load() throws Exception {
        String why = new CudaBackendProvider().unavailableReason();
        Assumptions.assumeTrue(why == null, "CUDA tests skipped: " + why);
        be = (CudaBackend) Backends.open("cuda");
        be.controls().setSyncAfterLaunch(true);
        be.controls().setPoisonAllocations(true);
        vae = VaeCheckpoint.loadEncoder(Fixtures.path("wan-vae-enc-tiny.safetensors"), Fixtures.path("wan-vae-enc-tiny.json"), be);
        cases = SafetensorsFile.open(Fixtures.path("wan-vae-enc-tiny-cases.safetensors"));
    }

    @AfterAll
    static void close() {
        if (vae != null) {
            vae.close();
        }
        if (cases != null) {
            cases.close();
        }
        if (be != null) {
            be.controls().setConvPath(ConvPath.AUTO);
            be.close();
        }
    }

    private static Tensor fixture(String name) throws Exception {
        var info = cases.info(name);
        return be.fromBytes(info.dtype(), info.shape(), cases.data(name));
    }

    @ParameterizedTest
    @CsvSource({"a, DIRECT, 1e-5", "b, DIRECT, 1e-5", "a, IGEMM, 1e-2", "b, IGEMM, 1e-2"})
    void muMatchesTheOfficialEncoder(String c, ConvPath path, double tol) throws Exception {
        be.controls().setConvPath(path);
        try (Tensor video = fixture(c + ".video"); Tensor ref = fixture(c + ".mu"); Tensor mu = vae.encode(video)) {
            assertEquals(ref.shape(), mu.shape());
            double err = Numerics.relError(be.toFloats(mu), be.toFloats(ref));
            System.out.printf("cuda %s case %s mu rel. error %.2e%n", path, c, err);
            assertTrue(err <= tol, path + " case " + c + ": mu relative error " + err + " > " + tol);
        }
    }
}
