package dev.surf.models.wan;

import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.models.weights.WeightSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads DiT parameters by official name in the precision each is used in (spec/wan21.md §2.6):
 * matrix weights of the bf16 GEMMs in the backend's activation type (the stored type on the CPU, so
 * a BF16 file is not expanded to F32), parameters of the fp32 paths (time MLP, head, norms, biases,
 * modulation tables) in F32. Owns what it loaded.
 */
final class WanWeights implements AutoCloseable {
    /** How a parameter is used, which decides its dtype on the device. */
    enum Use { MATMUL, FP32 }

    private final WeightSource source;
    private final Backend be;
    private final List<Tensor> loaded = new ArrayList<>();

    WanWeights(WeightSource source, Backend be) {
        this.source = source;
        this.be = be;
    }

    WeightSource source() {
        return source;
    }

    Tensor get(String official, Shape shape, Use use) throws IOException {
        DType want = switch (use) {
            case FP32 -> DType.F32;
            case MATMUL -> be.activationType() == DType.F32 ? null : be.activationType();
        };
        Tensor t = source.load(be, official, shape, want);
        loaded.add(t);
        return t;
    }

    @Override
    public void close() {
        for (Tensor t : loaded) {
            t.close();
        }
        loaded.clear();
    }
}
