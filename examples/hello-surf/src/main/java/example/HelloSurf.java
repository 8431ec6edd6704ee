package example;

import dev.surf.models.api.GenerationRequest;
import dev.surf.models.api.GenerationResult;
import dev.surf.models.api.RefineOptions;
import dev.surf.models.api.SurfEngine;
import dev.surf.models.api.SurfOptions;
import dev.surf.models.api.TextEmbedding;
import dev.surf.models.api.TinyModels;
import dev.surf.models.pipeline.VideoSize;
import dev.surf.models.sched.SolverKind;
import java.nio.file.Path;
import java.util.Map;

/**
 * Generates a SURF preview with the embedded tiny model, refines it, prints what each stage cost and
 * saves the latent. Run with: java --add-modules jdk.incubator.vector -cp ... example.HelloSurf [out.safetensors]
 */
public final class HelloSurf {
    private HelloSurf() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "hello-surf.safetensors");
        try (SurfEngine engine = SurfEngine.builder().device("cpu").tinyModels().build()) {
            engine.describe().forEach(System.out::println);
            // a real application passes umT5 embeddings of its prompt; the tiny model takes a stand-in
            TextEmbedding prompt = TextEmbedding.standIn("a lighthouse in a storm", TinyModels.BASE.textDim(), 16);
            TextEmbedding negative = TextEmbedding.standIn("blurry, static", TinyModels.BASE.textDim(), 16);
            GenerationRequest request = new GenerationRequest(prompt, negative, new VideoSize(128, 128, 9), 7, 12, 5.0, 4.0,
                    SolverKind.UNIPC, new SurfOptions(4, 0.5, null, null), RefineOptions.to(256, 256));
            GenerationResult result = engine.generate(request,
                    p -> System.out.printf("[%s] %d/%d%n", p.stage(), p.done(), p.total()), () -> false);
            result.summary().forEach(System.out::println);
            result.latent().save(out, "latent", Map.of("producer", "hello-surf"));
            System.out.println("saved " + out + " " + result.latent().shape());
        }
    }
}
