package dev.surf.models.t5;

import dev.surf.core.Activation;
import dev.surf.core.Backend;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.TensorScope;
import java.io.IOException;

/**
 * {@code T5FeedForward}, the gated-GELU FFN: {@code fc2(fc1(x) * gelu_tanh(gate.0(x)))}, no biases.
 * The GELU is fused into the gate GEMM's epilogue.
 */
final class T5FeedForward {
    private final Tensor gate;
    private final Tensor fc1;
    private final Tensor fc2;

    T5FeedForward(T5Weights w, String name, int dim, int dimFfn) throws IOException {
        gate = w.matrix(name + ".gate.0.weight", Shape.of(dimFfn, dim));
        fc1 = w.matrix(name + ".fc1.weight", Shape.of(dimFfn, dim));
        fc2 = w.matrix(name + ".fc2.weight", Shape.of(dim, dimFfn));
    }

    /** The FFN of x [..., dim]: [..., dim] in x's dtype. */
    Tensor forward(Backend be, Tensor x) {
        try (TensorScope s = new TensorScope()) {
            Tensor g = s.track(be.linear(x, gate, null, Activation.GELU_TANH));
            Tensor u = s.track(be.linear(x, fc1, null, Activation.NONE));
            Tensor h = s.track(be.mul(u, g));
            return be.linear(h, fc2, null, Activation.NONE);
        }
    }
}
