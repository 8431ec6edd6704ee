package dev.surf.models.t5;

import dev.surf.core.Backend;
import dev.surf.core.Tensor;
import java.io.IOException;

/**
 * T5's RMSNorm ({@code T5LayerNorm}): {@code w * x / sqrt(mean(x^2) + 1e-6)} over the channels, weight
 * only, no mean subtraction. The statistics are F32 (double on the CPU) whatever the input dtype, as
 * the official {@code x.float().pow(2).mean()}.
 */
final class T5LayerNorm {
    private final Tensor weight;

    T5LayerNorm(T5Weights w, String name, int dim) throws IOException {
        this.weight = w.vector(name + ".weight", dim);
    }

    /** The normalised x, in x's dtype. */
    Tensor forward(Backend be, Tensor x) {
        return be.rmsNorm(x, weight, UmT5Config.EPS);
    }
}
