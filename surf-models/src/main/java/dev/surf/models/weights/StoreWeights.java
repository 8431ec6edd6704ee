package dev.surf.models.weights;

import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.weights.TensorArchive;
import dev.surf.core.weights.WeightFileException;
import java.io.IOException;
import java.util.function.UnaryOperator;

/**
 * A checkpoint's parameters under their official names: a model asks for
 * {@code blocks.0.self_attn.q.weight} and gets the stored tensor, whatever the container, renamed by
 * the model's key rules when the checkpoint is in the diffusers / transformers naming. Made by
 * {@link Checkpoint#weights}; closing it closes the checkpoint.
 */
public final class StoreWeights implements WeightSource {
    private final Checkpoint checkpoint;
    private final String model;
    private final UnaryOperator<String> stored;

    StoreWeights(Checkpoint checkpoint, String model, UnaryOperator<String> stored) {
        this.checkpoint = checkpoint;
        this.model = model;
        this.stored = stored;
    }

    public Checkpoint checkpoint() {
        return checkpoint;
    }

    /** The name an official parameter is stored under in this checkpoint. */
    public String storedName(String official) {
        return stored.apply(official);
    }

    @Override
    public boolean has(String official) {
        return checkpoint.archive().has(stored.apply(official));
    }

    /**
     * The stored shape of an official parameter, which must have the given rank: what a model's
     * configuration is inferred from.
     *
     * @throws WeightFileException naming the file and the tensor when it is absent ("is this a ...
     *                             checkpoint?") or of another rank
     */
    public Shape shape(String official, int rank) throws WeightFileException {
        String name = stored.apply(official);
        if (!checkpoint.archive().has(name)) {
            throw notThisModel("has no tensor '" + name + "'");
        }
        Shape s = checkpoint.archive().info(name).shape();
        if (s.rank() != rank) {
            throw new WeightFileException(checkpoint.path(), "tensor '" + name + "' has shape " + s + ", expected rank " + rank, null);
        }
        return s;
    }

    /**
     * A problem that suggests the file holds another model: "{@code file: problem: is this a Wan DiT
     * checkpoint? (it holds N tensors in L naming)}".
     */
    public WeightFileException notThisModel(String problem) {
        return new WeightFileException(checkpoint.path(), problem + ": is this a " + model + " checkpoint? (it holds "
                + checkpoint.holdings() + ")", null);
    }

    @Override
    public Tensor load(Backend be, String name, Shape expected, DType use) throws IOException {
        String s = stored.apply(name);
        TensorArchive archive = checkpoint.archive();
        if (!archive.has(s)) {
            throw new WeightFileException(checkpoint.path(), "required tensor '" + s + "'" + (s.equals(name) ? "" : " (official " + name + ")")
                    + (expected == null ? "" : " of shape " + expected) + " not found (it holds " + checkpoint.holdings() + ")", null);
        }
        return archive.require(be, s, expected, use);
    }

    @Override
    public String describe() {
        TensorArchive a = checkpoint.archive();
        return "checkpoint " + (a.files().size() == 1 ? a.files().get(0) : a.files().size() + " files")
                + " (" + checkpoint.naming().label() + ")";
    }

    @Override
    public boolean isRandom() {
        return false;
    }

    @Override
    public void close() {
        checkpoint.close();
    }
}
