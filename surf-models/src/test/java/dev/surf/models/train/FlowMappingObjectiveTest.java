package dev.surf.models.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.optim.AdamW;
import dev.surf.models.wan.TextContext;
import dev.surf.models.wan.WanConfig;
import dev.surf.models.wan.WanModel;
import dev.surf.models.weights.RandomWeights;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An example with a source latent trains the flow-mapping objective: the first step's loss is
 * mean((v(x_s, 1000 s) - (source - x0))^2) at x_s = (1 - s) x0 + s source, with s the config's
 * timestep draw for example 0, evaluated here with the inference forward and summed in double.
 */
class FlowMappingObjectiveTest {
    private static final WanConfig TINY = new WanConfig(1, 2, 2, 8, 16, 64, 128, 32, 32, 16, 2, 2, true, true, 1e-6f);

    private static final class PairData implements TrainingData {
        private final boolean withSource;

        PairData(boolean withSource) {
            this.withSource = withSource;
        }

        @Override
        public int size() {
            return 1;
        }

        @Override
        public Example get(int index, Backend be) {
            Tensor x0 = be.empty(DType.F32, Shape.of(16, 3, 4, 4));
            Tensor src = be.empty(DType.F32, Shape.of(16, 3, 4, 4));
            Tensor ctx = be.empty(DType.F32, Shape.of(3, 32));
            be.fillNormal(x0, 100, 0);
            be.fillNormal(src, 101, 0);
            be.fillNormal(ctx, 102, 0);
            if (!withSource) {
                src.close();
                return new Example(x0, ctx);
            }
            return new Example(x0, ctx, src);
        }
    }

    private static double firstLoss(boolean withSource, TimestepDistribution d) throws Exception {
        try (Backend be = new CpuBackend(2); WanModel model = WanModel.load(new RandomWeights(7), be, TINY, 2);
             FlowMatchingTrainer t = new FlowMatchingTrainer(model, n -> true,
                     new FlowMatchingTrainer.Config(AdamW.Config.torchDefaults(1e-3), null, 0, 0, 1, 1, 9, d), new PairData(withSource))) {
            return t.step();
        }
    }

    @Test
    void theSourceReplacesTheNoise() throws Exception {
        TimestepDistribution d = TimestepDistribution.shiftedUniform(2);
        double expected;
        try (Backend be = new CpuBackend(2); WanModel model = WanModel.load(new RandomWeights(7), be, TINY, 2);
             TrainingData.Example ex = new PairData(true).get(0, be);
             TextContext text = model.prepareText(List.of(ex.context()))) {
            float s = (float) d.sample(9, 0);
            float[] x0 = be.toFloats(ex.latent());
            float[] src = be.toFloats(ex.source());
            try (Tensor xs = be.combine(new float[] {1 - s, s}, ex.latent(), ex.source());
                 Tensor v = model.forward(xs, new float[] {1000f * s}, text)) {
                float[] out = be.toFloats(v);
                double sum = 0;
                for (int i = 0; i < out.length; i++) {
                    double e = out[i] - ((double) src[i] - x0[i]);
                    sum += e * e;
                }
                expected = sum / out.length;
            }
        }
        assertEquals(expected, firstLoss(true, d), 1e-5 * expected);
        // without a source the same seeds give the noise objective, another loss
        assertNotEquals(firstLoss(true, d), firstLoss(false, d));
    }
}
