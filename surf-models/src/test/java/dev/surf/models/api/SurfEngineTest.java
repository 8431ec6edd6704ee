package dev.surf.models.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.testing.Fixtures;
import dev.surf.models.pipeline.ModelRole;
import dev.surf.models.pipeline.ProgressListener;
import dev.surf.models.pipeline.ReshiftMode;
import dev.surf.models.pipeline.VideoSize;
import dev.surf.models.sched.SolverKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SurfEngineTest {
    private static SurfEngine engine;
    private static final TextEmbedding CTX = TextEmbedding.standIn("a cat", TinyModels.BASE.textDim(), 8);
    private static final TextEmbedding NEG = TextEmbedding.standIn("blurry", TinyModels.BASE.textDim(), 8);

    @BeforeAll
    static void open() throws Exception {
        engine = SurfEngine.builder().device("cpu:2").tinyModels().build();
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    private static GenerationRequest request(long seed, boolean surf) {
        return new GenerationRequest(CTX, NEG, new VideoSize(64, 64, 5), seed, 4, 5.0, 3.0, SolverKind.UNIPC,
                surf ? new SurfOptions(2, 0.5, null, ReshiftMode.FLOW_CONSISTENT) : null,
                surf ? RefineOptions.to(96, 96) : null);
    }

    @Test
    void concurrentJobsGiveTheBytesOfSequentialRuns() throws Exception {
        int threads = 4;
        int jobs = 3;
        List<float[]> sequential = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            for (int j = 0; j < jobs; j++) {
                sequential.add(engine.generate(request(100 + t * jobs + j, (t + j) % 2 == 0), ProgressListener.NONE, () -> false)
                        .latent().values());
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<float[]>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                for (int j = 0; j < jobs; j++) {
                    GenerationRequest r = request(100 + t * jobs + j, (t + j) % 2 == 0);
                    futures.add(pool.submit(() -> engine.generate(r, ProgressListener.NONE, () -> false).latent().values()));
                }
            }
            for (int i = 0; i < futures.size(); i++) {
                assertArrayEquals(sequential.get(i), futures.get(i).get(), "job " + i);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void cancellationReturnsPromptlyAndTheEngineStillWorks() {
        AtomicInteger steps = new AtomicInteger();
        GenerationRequest long20 = new GenerationRequest(CTX, NEG, new VideoSize(64, 64, 5), 1, 20, 5.0, 3.0,
                SolverKind.UNIPC, null, null);
        assertThrows(CancellationException.class,
                () -> engine.generate(long20, p -> steps.incrementAndGet(), () -> steps.get() >= 2));
        assertEquals(2, steps.get(), "stops within one step of the request");
        GenerationResult after = engine.generate(request(5, true), ProgressListener.NONE, () -> false);
        assertArrayEquals(engine.generate(request(5, true), ProgressListener.NONE, () -> false).latent().values(),
                after.latent().values());
    }

    @Test
    void invalidRequestsFailBeforeAnyComputeNamingTheField() {
        AtomicInteger steps = new AtomicInteger();
        ProgressListener count = p -> steps.incrementAndGet();
        TextEmbedding wide = TextEmbedding.standIn("x", TinyModels.BASE.textDim() + 1, 4);
        String m = assertThrows(IllegalArgumentException.class, () -> engine.generate(new GenerationRequest(wide, null,
                new VideoSize(64, 64, 5), 1, 4, 5, 1, SolverKind.UNIPC, null, null), count, () -> false)).getMessage();
        assertTrue(m.startsWith("context:"), m);
        TextEmbedding tall = TextEmbedding.standIn("a b c d e f g h i j k l m n o p q r s t u v w x y z a b c d e f g h i j",
                TinyModels.BASE.textDim(), 1000);
        m = assertThrows(IllegalArgumentException.class, () -> engine.generate(new GenerationRequest(tall, null,
                new VideoSize(64, 64, 5), 1, 4, 5, 1, SolverKind.UNIPC, null, null), count, () -> false)).getMessage();
        assertTrue(m.contains("text_len"), m);
        m = assertThrows(IllegalArgumentException.class, () -> new GenerationRequest(CTX, null,
                new VideoSize(64, 64, 5), 1, 4, 5, 3, SolverKind.UNIPC, null, null)).getMessage();
        assertTrue(m.startsWith("contextNull:"), m);
        m = assertThrows(IllegalArgumentException.class, () -> new GenerationRequest(CTX, NEG,
                new VideoSize(64, 64, 5), 1, 4, 5, 3, SolverKind.UNIPC, new SurfOptions(9, 0.5, null, null), null)).getMessage();
        assertTrue(m.startsWith("surf.k"), m);
        m = assertThrows(IllegalArgumentException.class, () -> new GenerationRequest(CTX, NEG,
                new VideoSize(64, 64, 5), 1, 0, 5, 3, SolverKind.UNIPC, null, null)).getMessage();
        assertTrue(m.startsWith("steps"), m);
        m = assertThrows(IllegalArgumentException.class, () -> engine.generate(new GenerationRequest(CTX, NEG,
                new VideoSize(64, 64, 5), 1, 4, 5, 3, SolverKind.UNIPC, null, null, 2), count, () -> false)).getMessage();
        assertTrue(m.startsWith("smallFrom:"), m);
        assertEquals(0, steps.get(), "nothing ran");
    }

    @Test
    void dtypeAndMemoryLimitAreCheckedAgainstTheDevice() throws Exception {
        try (SurfEngine f32 = SurfEngine.builder().device("cpu:1").dtype(dev.surf.core.DType.F32).tinyModels().noRefiner().build()) {
            assertEquals(dev.surf.core.DType.F32, f32.backend().activationType());
        }
        String m = assertThrows(IllegalArgumentException.class,
                () -> SurfEngine.builder().device("cpu:1").dtype(dev.surf.core.DType.BF16).tinyModels().build()).getMessage();
        assertTrue(m.contains("computes in F32, not BF16"), m);
        m = assertThrows(IllegalArgumentException.class,
                () -> SurfEngine.builder().device("cpu:1").memoryLimit(1L << 30).tinyModels().build()).getMessage();
        assertTrue(m.startsWith("memoryLimit:") && m.contains("-Xmx"), m);
        m = assertThrows(IllegalArgumentException.class, () -> SurfEngine.builder().memoryLimit(0)).getMessage();
        assertTrue(m.startsWith("memoryLimit:"), m);
    }

    @Test
    void describeSaysWhereEachModelAndItsConfigCameFrom() throws Exception {
        Path weights = Fixtures.path("wan-dit-tiny.safetensors");
        Path json = Fixtures.path("wan-dit-tiny.json");
        try (SurfEngine e = SurfEngine.builder().device("cpu:1").model(weights).config(json).smallModel(weights).noRefiner().build()) {
            List<String> lines = e.describe();
            assertTrue(lines.contains("base model config from " + json), lines.toString());
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("small model config inferred from the weight shapes of " + weights)),
                    lines.toString());
            assertTrue(lines.get(1).startsWith("base model: checkpoint " + weights + " (wan-official)"), lines.toString());
        }
    }

    @Test
    void aRequestIsPricedWithoutRunningIt() {
        GenerationRequest r = request(3, true);
        dev.surf.models.pipeline.PricedPlan p = engine.price(r);
        assertEquals(List.of(ModelRole.BASE, ModelRole.BASE, ModelRole.REFINER),
                p.stages().stream().map(dev.surf.models.pipeline.PricedPlan.Stage::role).toList());
        GenerationResult g = engine.generate(r, ProgressListener.NONE, () -> false);
        assertEquals(p.total(), g.flops(), "the reports carry the priced FLOPs");
    }

    @Test
    void previewsAreFirstClassAndRefinableLater() {
        GenerationRequest r = request(40, true);
        List<GenerationResult> previews = engine.previews(r, 2, ProgressListener.NONE, () -> false);
        assertEquals(2, previews.size());
        assertEquals(40, previews.get(0).seed());
        assertEquals(41, previews.get(1).seed());
        Latent chosen = previews.get(1).latent();
        assertEquals(4, chosen.height(), "preview at half of the 8-row base latent");
        GenerationResult refined = engine.refine(chosen, r.withSeed(41), RefineOptions.to(128, 96), ProgressListener.NONE, () -> false);
        assertEquals(12, refined.latent().height());
        assertEquals(16, refined.latent().width());
        // the same preview refined inside one run gives the same latent as refining it afterwards
        GenerationResult oneRun = engine.generate(r.withSeed(41), ProgressListener.NONE, () -> false);
        GenerationResult later = engine.refine(oneRun.preview(), r.withSeed(41), RefineOptions.to(96, 96), ProgressListener.NONE, () -> false);
        assertArrayEquals(oneRun.latent().values(), later.latent().values());
    }
}
