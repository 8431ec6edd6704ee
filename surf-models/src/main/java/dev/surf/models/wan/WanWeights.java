package dev.surf.models.wan;

import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.models.weights.ModelWeights;
import dev.surf.models.weights.WeightSource;
import java.io.IOException;

/**
 * Loads DiT parameters by official name in the precision each is used in (spec/wan21.md §2.6):
 * matrix weights of the bf16 GEMMs in the backend's activation type (the stored type on the CPU, so
 * a BF16 file is not expanded to F32), parameters of the fp32 paths (time MLP, head, norms, biases,
 * modulation tables) in F32. Owns what it loaded.
 */
final class WanWeights extends ModelWeights {
    /** How a parameter is used, which decides its dtype on the device. */
    enum Use { MATMUL, FP32 }

    WanWeights(WeightSource source, Backend be) {
        super(source, be);
    }

    Tensor get(String official, Shape shape, Use use) throws IOException {
        return load(official, shape, use == Use.FP32 ? DType.F32 : matmulType());
    }
}
