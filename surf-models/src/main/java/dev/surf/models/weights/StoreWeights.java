package dev.surf.models.weights;

import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.safetensors.WeightFormat;
import dev.surf.core.weights.TensorArchive;
import java.io.IOException;
import java.util.function.UnaryOperator;

/**
 * Parameters from a checkpoint on disk: safetensors ({@link dev.surf.core.safetensors.WeightStore}) or a
 * torch.save archive ({@link dev.surf.core.pth.PthArchive}). Names are official; when the checkpoint
 * uses another naming (diffusers), {@code rename} maps an official name to the stored one.
 */
public final class StoreWeights implements WeightSource {
    private final TensorArchive store;
    private final boolean ownsStore;
    private final WeightFormat format;
    private final UnaryOperator<String> rename;

    /**
     * @param toDiffusers official name to diffusers name, applied when the store is detected as diffusers
     */
    public StoreWeights(TensorArchive store, boolean ownsStore, UnaryOperator<String> toDiffusers) {
        this.store = store;
        this.ownsStore = ownsStore;
        this.format = WeightFormat.detect(store.names());
        this.rename = format == WeightFormat.DIFFUSERS ? toDiffusers : UnaryOperator.identity();
    }

    public TensorArchive store() {
        return store;
    }

    public WeightFormat format() {
        return format;
    }

    @Override
    public boolean has(String name) {
        return store.has(rename.apply(name));
    }

    @Override
    public Tensor load(Backend be, String name, Shape expected, DType use) throws IOException {
        return store.require(be, rename.apply(name), expected, use);
    }

    @Override
    public String describe() {
        return "checkpoint " + (store.files().size() == 1 ? store.files().get(0) : store.files().size() + " files")
                + " (" + format.label() + ")";
    }

    @Override
    public boolean isRandom() {
        return false;
    }

    @Override
    public void close() {
        if (ownsStore) {
            store.close();
        }
    }
}
