package dev.surf.models.vae;

import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.models.weights.ModelWeights;
import dev.surf.models.weights.WeightSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads decoder parameters by official name, all in F32 (the official VAE runs in fp32 end to end,
 * spec §4.1), and owns them. Also hands out the cache slot numbers of the causal convolutions, in
 * module order as the official {@code feat_idx} counts them.
 */
final class VaeWeights extends ModelWeights {
    private int slots;
    private final List<Tensor> derived = new ArrayList<>();

    VaeWeights(WeightSource source, Backend be) {
        super(source, be);
    }

    Tensor get(String official, Shape shape) throws IOException {
        return load(official, shape, DType.F32);
    }

    /** The next time-cache slot. */
    int nextSlot() {
        return slots++;
    }

    /** How many slots were handed out. */
    int slotCount() {
        return slots;
    }

    /** Takes over a tensor computed from loaded parameters (a rearranged kernel), freed on close. */
    Tensor own(Tensor t) {
        derived.add(t);
        return t;
    }

    @Override
    public void close() {
        for (Tensor t : derived) {
            t.close();
        }
        derived.clear();
        super.close();
    }
}
