package dev.surf.models.wan;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Backend;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.models.weights.RandomWeights;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The example of docs/training.md, run: a tiny DiT on random weights learns one (x, t, context)
 * -> target pair with plain gradient descent, and the loss falls. Only public API is used.
 */
class TrainingLoopExampleTest {

    @Test
    void theLossFallsUnderGradientDescent() throws Exception {
        // dim 64, 2 heads, 2 layers, text_len 8, text_dim 32 (RandomWeights: F32 tensors the model owns)
        WanConfig config = new WanConfig(1, 2, 2, 8, 16, 64, 128, 32, 32, 16, 2, 2, true, true, 1e-6f);
        List<Float> losses = new ArrayList<>();
        try (Backend be = new CpuBackend(2);
             WanModel model = WanModel.load(new RandomWeights(7), be, config);
             Tensor x = be.empty(dev.surf.core.DType.F32, Shape.of(16, 2, 4, 4));
             Tensor context = be.empty(dev.surf.core.DType.F32, Shape.of(5, 32));
             Tensor target = be.empty(dev.surf.core.DType.F32, Shape.of(16, 2, 4, 4))) {
            be.fillNormal(x, 1, 0);
            be.fillNormal(context, 2, 0);
            be.fillNormal(target, 3, 0);
            WanTrainForward train = new WanTrainForward(model);
            Map<String, Tensor> params = model.parameters();
            float lr = 0.05f;
            for (int step = 0; step < 20; step++) {
                try (WanTrainForward.Gradients g = train.mseGradients(x, 500f, context, target)) {
                    losses.add(g.loss());
                    for (Map.Entry<String, Tensor> p : g.parameters().entrySet()) {
                        Tensor w = params.get(p.getKey());
                        be.combineInto(w, new float[] {1f, -lr}, w, p.getValue()); // w -= lr * dL/dw
                    }
                }
            }
        }
        System.out.println("tiny DiT, gradient descent: loss " + losses);
        assertTrue(losses.get(losses.size() - 1) < 0.5f * losses.get(0), "the loss falls: " + losses);
        for (int i = 1; i < losses.size(); i++) {
            assertTrue(losses.get(i) < losses.get(i - 1) * 1.05f, "no step makes it much worse: " + losses);
        }
    }
}
