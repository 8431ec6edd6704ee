package dev.surf.models.wan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.safetensors.SafetensorsFile;
import dev.surf.core.testing.Fixtures;
import dev.surf.core.testing.Numerics;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * shared/conformance/wan-dit-grad (torch autograd through the official WanModel, F32 on the CPU):
 * the output, the loss and every gradient (x, context, each parameter by official name) of both
 * cases within 1e-4 relative error per tensor; and the differentiable forward against the inference
 * forward of the same model.
 */
class WanGradConformanceTest {
    private static final double TOL = 1e-4;
    private static CpuBackend be;
    private static WanModel model;
    private static SafetensorsFile cases;

    @BeforeAll
    static void load() throws Exception {
        be = new CpuBackend(2);
        model = WanCheckpoint.load(Fixtures.path("wan-dit-grad.safetensors"), Fixtures.path("wan-dit-grad.json"), be);
        cases = SafetensorsFile.open(Fixtures.path("wan-dit-grad-cases.safetensors"));
    }

    @AfterAll
    static void close() {
        model.close();
        cases.close();
        be.close();
    }

    private static void close(String c, String what, Tensor actual) throws Exception {
        try (Tensor ref = cases.read(be, c + "." + what)) {
            assertEquals(ref.shape(), actual.shape(), c + "." + what + " shape");
            double err = Numerics.relError(be.toFloats(actual), be.toFloats(ref));
            System.out.printf("grad case %s %-42s rel. error %.2e%n", c, what, err);
            assertTrue(err <= TOL, "case " + c + ": " + what + " relative error " + err + " > " + TOL);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "b"})
    void lossAndEveryGradientMatchTorchAutograd(String c) throws Exception {
        try (Tensor x = cases.read(be, c + ".x"); Tensor t = cases.read(be, c + ".t"); Tensor ctx = cases.read(be, c + ".context");
             Tensor target = cases.read(be, c + ".target");
             WanTrainForward.Gradients g = new WanTrainForward(model).mseGradients(x, be.toFloats(t)[0], ctx, target)) {
            close(c, "out", g.out());
            float loss;
            try (Tensor l = cases.read(be, c + ".loss")) {
                loss = be.toFloats(l)[0];
            }
            assertEquals(loss, g.loss(), TOL * loss, "case " + c + " loss");
            close(c, "grad.x", g.x());
            close(c, "grad.context", g.context());
            Set<String> expected = new TreeSet<>();
            for (String name : cases.names()) {
                if (name.startsWith(c + ".grad.") && !name.equals(c + ".grad.x") && !name.equals(c + ".grad.context")) {
                    expected.add(name.substring((c + ".grad.").length()));
                }
            }
            assertEquals(expected, new TreeSet<>(g.parameters().keySet()), "parameters with gradients");
            for (Map.Entry<String, Tensor> en : g.parameters().entrySet()) {
                close(c, "grad." + en.getKey(), en.getValue());
            }
        }
    }

    @Test
    void differentiableForwardEqualsTheInferenceForward() throws Exception {
        try (Tensor x = cases.read(be, "b.x"); Tensor ctx = cases.read(be, "b.context"); Tensor target = cases.read(be, "b.target");
             TextContext text = model.prepareText(List.of(ctx));
             Tensor inference = model.forward(x, new float[] {31.5f}, text);
             WanTrainForward.Gradients g = new WanTrainForward(model).mseGradients(x, 31.5f, ctx, target)) {
            Numerics.assertClose("training forward vs inference forward", be.toFloats(g.out()), be.toFloats(inference), 1e-6);
        }
    }

    @Test
    void frozenParametersGetNoGradientAndTheOthersAreUnchanged() throws Exception {
        try (Tensor x = cases.read(be, "a.x"); Tensor ctx = cases.read(be, "a.context"); Tensor target = cases.read(be, "a.target");
             WanTrainForward.Gradients all = new WanTrainForward(model).mseGradients(x, 700f, ctx, target);
             WanTrainForward.Gradients some = new WanTrainForward(model, n -> !n.startsWith("text_embedding."))
                     .mseGradients(x, 700f, ctx, target)) {
            assertTrue(some.parameters().keySet().stream().noneMatch(n -> n.startsWith("text_embedding.")));
            assertEquals(all.parameters().size() - 4, some.parameters().size());
            Numerics.assertClose("grad.x with frozen text embedding", be.toFloats(some.x()), be.toFloats(all.x()), 0);
            Tensor w = some.parameters().get("blocks.1.ffn.0.weight");
            Numerics.assertClose("a trainable weight's gradient", be.toFloats(w), be.toFloats(all.parameters().get("blocks.1.ffn.0.weight")), 0);
        }
    }
}
