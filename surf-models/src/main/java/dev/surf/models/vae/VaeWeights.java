package dev.surf.models.vae;

import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.models.weights.WeightSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads decoder parameters by official name, all in F32 (the official VAE runs in fp32 end to end,
 * spec §4.1), and owns them. Also hands out the cache slot numbers of the causal convolutions, in
 * module order as the official {@code feat_idx} counts them.
 */
final class VaeWeights implements AutoCloseable {
    private final WeightSource source;
    private final Backend be;
    private final List<Tensor> loaded = new ArrayList<>();
    private int slots;

    VaeWeights(WeightSource source, Backend be) {
        this.source = source;
        this.be = be;
    }

    WeightSource source() {
        return source;
    }

    Tensor get(String official, Shape shape) throws IOException {
        Tensor t = source.load(be, official, shape, DType.F32);
        loaded.add(t);
        return t;
    }

    /** The next time-cache slot. */
    int nextSlot() {
        return slots++;
    }

    /** How many slots were handed out. */
    int slotCount() {
        return slots;
    }

    @Override
    public void close() {
        for (Tensor t : loaded) {
            t.close();
        }
        loaded.clear();
    }
}
