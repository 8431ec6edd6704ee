package dev.surf.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Activation;
import dev.surf.core.AttentionSpec;
import dev.surf.core.BackwardChecks;
import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.OpChecks;
import dev.surf.core.ResizeMode;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.TensorScope;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Bad arguments to the gradient ops: the CUDA backend refuses each one in BackwardChecks or OpChecks
 * (before any allocation or launch) with the CPU backend's message, up to the backend name a tensor prints, so a
 * training mistake reads the same on either device.
 */
@Tag("gpu")
class BackwardChecksCudaTest extends CudaTestBase {

    /** One bad call: made on a backend, with tensors from the given factory. */
    private record Case(String name, BiConsumer<Backend, BiFunction<DType, int[], Tensor>> call) {
    }

    private static final List<Case> CASES = List.of(
            new Case("linearGradInput dy/w mismatch", (be, t) -> be.linearGradInput(t.apply(DType.F32, new int[] {3, 4}),
                    t.apply(DType.F32, new int[] {5, 6}))),
            new Case("linearGradWeight rows differ", (be, t) -> be.linearGradWeight(t.apply(DType.F32, new int[] {3, 4}),
                    t.apply(DType.F32, new int[] {2, 6}))),
            new Case("linearGradInput integer dy", (be, t) -> be.linearGradInput(t.apply(DType.I32, new int[] {3, 5}),
                    t.apply(DType.F32, new int[] {5, 6}))),
            new Case("sumLeading not a suffix", (be, t) -> be.sumLeading(t.apply(DType.F32, new int[] {3, 4}), Shape.of(5))),
            new Case("activationBackward shapes", (be, t) -> be.activationBackward(t.apply(DType.F32, new int[] {3}),
                    t.apply(DType.F32, new int[] {4}), Activation.GELU_TANH)),
            new Case("layerNormBackward weight size", (be, t) -> be.layerNormBackward(t.apply(DType.F32, new int[] {2, 4}),
                    t.apply(DType.F32, new int[] {3}), 1e-6f, t.apply(DType.F32, new int[] {2, 4}))),
            new Case("layerNormModulateBackward scale size", (be, t) -> be.layerNormModulateBackward(
                    t.apply(DType.F32, new int[] {2, 3, 4}), t.apply(DType.F32, new int[] {1, 4}), 1e-6f,
                    t.apply(DType.F32, new int[] {2, 3, 4}))),
            new Case("rmsNormBackward shapes", (be, t) -> be.rmsNormBackward(t.apply(DType.F32, new int[] {2, 4}), null, 1e-6f,
                    t.apply(DType.F32, new int[] {2, 5}))),
            new Case("attentionBackward lse shape", (be, t) -> be.attentionBackward(t.apply(DType.F32, new int[] {1, 3, 2, 4}),
                    t.apply(DType.F32, new int[] {1, 5, 2, 4}), t.apply(DType.F32, new int[] {1, 5, 2, 4}),
                    t.apply(DType.F32, new int[] {1, 3, 2, 4}), t.apply(DType.F32, new int[] {1, 3, 2}),
                    t.apply(DType.F32, new int[] {1, 3, 2, 4}), AttentionSpec.standard(4))),
            new Case("mseLoss shapes", (be, t) -> be.mseLoss(t.apply(DType.F32, new int[] {3}), t.apply(DType.F32, new int[] {4}))),
            new Case("l1Loss shapes", (be, t) -> be.l1Loss(t.apply(DType.F32, new int[] {3}), t.apply(DType.F32, new int[] {4}))),
            new Case("l1LossGrad shapes", (be, t) -> be.l1LossGrad(t.apply(DType.F32, new int[] {3}), t.apply(DType.F32, new int[] {4}))),
            new Case("conv3dGradInput negative padding", (be, t) -> be.conv3dGradInput(t.apply(DType.F32, new int[] {2, 3, 4, 4}),
                    t.apply(DType.F32, new int[] {2, 1, 1, 3, 3}), 0, -1, 1)),
            new Case("conv3dGradWeight ranks", (be, t) -> be.conv3dGradWeight(t.apply(DType.F32, new int[] {2, 3, 4}),
                    t.apply(DType.F32, new int[] {1, 3, 4, 4}), 0, 1, 1)),
            new Case("channelRmsNormBackward gamma", (be, t) -> be.channelRmsNormBackward(t.apply(DType.F32, new int[] {3, 5}),
                    t.apply(DType.F32, new int[] {2}), t.apply(DType.F32, new int[] {3, 5}))),
            new Case("resizeBackward input size", (be, t) -> be.resizeBackward(t.apply(DType.F32, new int[] {2, 4, 4}), 0, 3,
                    ResizeMode.BILINEAR)),
            new Case("embeddingBackward id outside the vocabulary", (be, t) -> be.embeddingBackward(
                    t.apply(DType.F32, new int[] {2, 4}), new int[] {1, 9}, 9)));

    @Test
    void everyBadCallIsRefusedWithTheCpuMessage() {
        for (Case c : CASES) {
            assertEquals(refusal(cpu, c), refusal(gpu, c), c.name());
        }
    }

    /**
     * The message of the refusal, the backend's name replaced by "BACKEND"; fails unless BackwardChecks
     * threw it (or OpChecks, whose forward checks some gradient ops reuse: channel norm, attention).
     */
    private static String refusal(Backend be, Case c) {
        try (TensorScope s = new TensorScope()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> c.call().accept(be, (dt, dims) -> s.track(be.zeros(dt, Shape.of(dims)))), be.name() + ": " + c.name());
            String thrower = e.getStackTrace()[0].getClassName();
            assertTrue(thrower.equals(BackwardChecks.class.getName()) || thrower.equals(OpChecks.class.getName()),
                    be.name() + ": " + c.name() + " refused outside BackwardChecks / OpChecks, at " + e.getStackTrace()[0]);
            return e.getMessage().replace(be.name(), "BACKEND");
        }
    }
}
