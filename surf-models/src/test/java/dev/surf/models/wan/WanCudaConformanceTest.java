package dev.surf.models.wan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.surf.core.Backend;
import dev.surf.core.Backends;
import dev.surf.core.DType;
import dev.surf.core.Tensor;
import dev.surf.core.safetensors.SafetensorsFile;
import dev.surf.core.testing.Fixtures;
import dev.surf.core.testing.Numerics;
import dev.surf.cuda.CudaBackend;
import dev.surf.cuda.CudaBackendProvider;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Wan DiT conformance fixtures (the official WanModel, F32) through the CUDA backend, which runs
 * the matrix products and attention in BF16 with F32 accumulation as the official code does under
 * autocast: every recorded intermediate and the output within the BF16 tolerance of 1e-2 relative
 * error, checked in forward order so the first failing one names the layer.
 */
@Tag("gpu")
class WanCudaConformanceTest {
    private static final double TOL = 1e-2;
    private static Backend be;
    private static WanModel model;
    private static SafetensorsFile cases;

    @BeforeAll
    static void load() throws Exception {
        String why = new CudaBackendProvider().unavailableReason();
        Assumptions.assumeTrue(why == null, "CUDA tests skipped: " + why);
        CudaBackend cuda = (CudaBackend) Backends.open("cuda");
        cuda.controls().setSyncAfterLaunch(true);
        cuda.controls().setPoisonAllocations(true);
        be = cuda;
        assertEquals(DType.BF16, be.activationType());
        model = WanCheckpoint.load(Fixtures.path("wan-dit-tiny.safetensors"), Fixtures.path("wan-dit-tiny.json"), be);
        cases = SafetensorsFile.open(Fixtures.path("wan-dit-tiny-cases.safetensors"));
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
        if (cases != null) {
            cases.close();
        }
        if (be != null) {
            be.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "b"})
    void everyIntermediateMatchesTheOfficialModel(String c) throws Exception {
        WanFixtureCheck.check(be, model, cases, c, TOL, "cuda");
    }

    /**
     * With F32 activations every matrix product and attention runs in F32 (CUDA cores): the F32
     * tolerance of the CPU conformance test applies.
     */
    @ParameterizedTest
    @ValueSource(strings = {"a", "b"})
    void f32ModeMatchesTheOfficialModelAtTheF32Tolerance(String c) throws Exception {
        try (CudaBackend f32 = new CudaBackend(0, DType.F32);
             WanModel m = WanCheckpoint.load(Fixtures.path("wan-dit-tiny.safetensors"), Fixtures.path("wan-dit-tiny.json"), f32)) {
            f32.controls().setSyncAfterLaunch(true);
            f32.controls().setPoisonAllocations(true);
            WanFixtureCheck.check(f32, m, cases, c, 1e-4, "cuda-f32");
        }
    }
}
