package dev.surf.models.api;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.cuda.CudaBackendProvider;
import dev.surf.models.pipeline.ProgressListener;
import dev.surf.models.pipeline.VideoSize;
import dev.surf.models.sched.SolverKind;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The engine's memory cap reaches the CUDA backend through the provider (BackendOptions). */
@Tag("gpu")
class SurfEngineCudaTest {

    @Test
    void theMemoryLimitCapsTheDevice() throws Exception {
        String why = new CudaBackendProvider().unavailableReason();
        Assumptions.assumeTrue(why == null, "CUDA tests skipped: " + why);
        TextEmbedding ctx = TextEmbedding.standIn("a cat", TinyModels.BASE.textDim(), 8);
        GenerationRequest r = new GenerationRequest(ctx, null, new VideoSize(64, 64, 5), 1, 2, 5.0, 1.0, SolverKind.UNIPC,
                null, null);
        try (SurfEngine roomy = SurfEngine.builder().device("cuda").memoryLimit(8L << 30).tinyModels().noRefiner().build()) {
            roomy.generate(r, ProgressListener.NONE, () -> false);
        }
        // 64 KiB cannot even hold the tiny model's weights: the build fails naming the cap
        Exception e = assertThrows(Exception.class,
                () -> SurfEngine.builder().device("cuda").memoryLimit(64 << 10).tinyModels().noRefiner().build());
        assertTrue(e.getMessage().contains("CUDA memory limit reached"), e.getMessage());
    }
}
