package dev.surf.models.t5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.testing.Fixtures;
import dev.surf.core.testing.Numerics;
import dev.surf.cuda.CudaBackend;
import dev.surf.cuda.CudaBackendProvider;
import java.util.Arrays;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * conformance/t5-tiny (the official T5Encoder, F32) through the CUDA backend: the relative-position
 * bias gathered on the device (gather_rows), attention with that bias, the gated-GELU feed-forward.
 * With F32 activations every product runs in F32, so the CPU test's 1e-4 applies. With BF16
 * activations (the default, tensor cores) each matrix operand is rounded to bf16 (2^-9 relative) and
 * the errors of two blocks compound, hence 2e-2, the order of the DiT's BF16 bound
 * (WanCudaConformanceTest, 1e-2 over 2 blocks with smaller activations).
 */
@Tag("gpu")
class T5CudaConformanceTest {

    @BeforeAll
    static void gpu() {
        String why = new CudaBackendProvider().unavailableReason();
        Assumptions.assumeTrue(why == null, "CUDA tests skipped: " + why);
    }

    @ParameterizedTest
    @CsvSource({"a, F32, 1e-4", "b, F32, 1e-4", "a, BF16, 2e-2", "b, BF16, 2e-2"})
    void outputAndContextMatchTheOfficialEncoder(String c, DType activation, double tol) throws Exception {
        T5Fixture f = T5Fixture.read(c);
        try (CudaBackend be = new CudaBackend(0, activation);
             T5Encoder encoder = T5Checkpoint.load(Fixtures.path("t5-tiny.safetensors"), null, be)) {
            be.controls().setSyncAfterLaunch(true);
            be.controls().setPoisonAllocations(true);
            float[] out;
            try (Tensor t = encoder.forward(f.ids(), 1, new int[] {f.real()})) {
                assertEquals(Shape.of(1, f.length(), 64), t.shape());
                out = be.toFloats(t);
            }
            double errOut = Numerics.relError(out, f.out());
            double errCtx = Numerics.relError(Arrays.copyOf(out, f.real() * 64), f.context());
            System.out.printf("t5-tiny case %s on CUDA (%s): out rel. error %.2e, context %.2e%n", c, activation, errOut, errCtx);
            assertTrue(errOut < tol, "out: " + errOut);
            assertTrue(errCtx < tol, "context: " + errCtx);
        }
    }
}
