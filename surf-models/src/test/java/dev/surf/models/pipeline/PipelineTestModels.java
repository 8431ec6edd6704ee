package dev.surf.models.pipeline;

import dev.surf.core.Backend;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.models.api.TextEmbedding;
import dev.surf.models.api.TinyModels;
import dev.surf.models.refiner.Refiner;
import dev.surf.models.wan.WanModel;
import dev.surf.models.weights.RandomWeights;
import java.io.IOException;
import java.util.Map;

/** The tiny models and conditioning used by the pipeline tests. */
final class PipelineTestModels implements AutoCloseable {
    final Backend be;
    final WanModel base;
    final WanModel refiner;
    final Tensor ctx;
    final Tensor neg;

    PipelineTestModels(Backend be) throws IOException {
        this.be = be;
        base = WanModel.load(new RandomWeights(TinyModels.BASE_SEED), be, TinyModels.BASE);
        refiner = Refiner.random(TinyModels.REFINER_SEED, be, TinyModels.REFINER);
        ctx = TextEmbedding.standIn("a test prompt", TinyModels.BASE.textDim(), 8).upload(be);
        neg = TextEmbedding.standIn("negative", TinyModels.BASE.textDim(), 8).upload(be);
    }

    SurfPipeline pipeline() {
        return new SurfPipeline(be, Map.of(ModelRole.BASE, base, ModelRole.REFINER, refiner));
    }

    Conditioning cond() {
        return new Conditioning(ctx, neg);
    }

    static Tensor copy(Backend be, Tensor t) {
        return be.fromFloats(be.toFloats(t), Shape.of(t.shape().dims()));
    }

    @Override
    public void close() {
        ctx.close();
        neg.close();
        refiner.close();
        base.close();
    }
}
