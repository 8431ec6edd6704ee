package dev.surf.models.weights;

import dev.surf.core.pth.PthArchive;
import dev.surf.core.safetensors.Inspect;
import dev.surf.core.weights.TensorArchive;
import dev.surf.core.weights.WeightFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A model checkpoint opened once: its container read and its key naming detected, both here and
 * nowhere else. The container is a torch.save zip ({@code Wan2.1_VAE.pth},
 * {@code models_t5_umt5-xxl-enc-bf16.pth}) or safetensors (a file, a folder of files, or a sharded
 * checkpoint with its {@code *.safetensors.index.json}); the naming is the official Wan code's or the
 * diffusers / transformers one ({@link WeightFormat}). Model loaders read parameters by their official
 * names through {@link #weights}, which applies the model's rename only when the other naming was
 * detected.
 *
 * <p>A model built from a checkpoint owns it (CPU weights borrow its mapped bytes) and closes it with
 * itself; {@link #load} closes it when building the model fails, whatever the failure.
 */
public final class Checkpoint implements AutoCloseable {

    /** How a checkpoint's tensors are stored. */
    public enum Container {
        /** safetensors: one file, a folder of files, or a sharded checkpoint with its index. */
        SAFETENSORS("safetensors"),
        /** A torch.save zip archive (.pth, .pt, .bin), read without Python. */
        TORCH_ZIP("torch zip");

        private final String label;

        Container(String label) {
            this.label = label;
        }

        /** The name shown to users: "safetensors" or "torch zip". */
        public String label() {
            return label;
        }
    }

    /** Builds a model from an open checkpoint (reads its configuration, then its weights). */
    @FunctionalInterface
    public interface Loader<M> {
        M load(Checkpoint checkpoint) throws IOException;
    }

    private final TensorArchive archive;
    private final Container container;
    private final WeightFormat naming;

    private Checkpoint(TensorArchive archive, Container container, WeightFormat naming) {
        this.archive = archive;
        this.container = container;
        this.naming = naming;
    }

    /**
     * Opens the checkpoint at path and detects its container and naming.
     *
     * @throws IOException naming the file and the defect when it is missing or not a usable checkpoint
     */
    public static Checkpoint open(Path path) throws IOException {
        TensorArchive a = WeightFiles.open(path);
        return new Checkpoint(a, a instanceof PthArchive ? Container.TORCH_ZIP : Container.SAFETENSORS,
                WeightFormat.detect(a.names()));
    }

    /**
     * Opens the checkpoint at path and builds a model from it with loader. The model takes the
     * checkpoint over (through {@link #weights}); if the loader fails in any way the checkpoint is
     * closed before the failure propagates, so no file stays mapped.
     */
    public static <M> M load(Path path, Loader<M> loader) throws IOException {
        Checkpoint c = open(path);
        try {
            return loader.load(c);
        } catch (IOException | RuntimeException | Error e) {
            c.close();
            throw e;
        }
    }

    /** What was opened: a file, a folder or an index. */
    public Path path() {
        return archive.path();
    }

    /** The tensors as stored (stored names). */
    public TensorArchive archive() {
        return archive;
    }

    public Container container() {
        return container;
    }

    /** The key naming the stored names follow, detected once on open. */
    public WeightFormat naming() {
        return naming;
    }

    /**
     * The parameters under their official names for a model: {@code toDiffusers} maps an official
     * name to the diffusers / transformers one and is applied only when the checkpoint is in that
     * naming. The result takes the checkpoint over: closing it closes the checkpoint.
     *
     * @param model what the checkpoint should hold, for messages ("Wan DiT", "umT5 encoder", "Wan VAE")
     */
    public StoreWeights weights(String model, UnaryOperator<String> toDiffusers) {
        return new StoreWeights(this, model, naming == WeightFormat.DIFFUSERS ? toDiffusers : UnaryOperator.identity());
    }

    /**
     * One more than the largest block index among the stored names, the index being group 1 of
     * {@code blockKey} (a pattern matching the whole name); 0 when no name matches.
     */
    public int blockCount(Pattern blockKey) {
        int n = 0;
        for (String name : archive.names()) {
            Matcher m = blockKey.matcher(name);
            if (m.matches()) {
                n = Math.max(n, Integer.parseInt(m.group(1)) + 1);
            }
        }
        return n;
    }

    /**
     * The listing {@code surf inspect} prints: {@code format: <naming>}, then the files, tensor count
     * and bytes, then one line per tensor ({@link Inspect#describe}).
     */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        lines.add("format: " + naming.label());
        lines.addAll(Inspect.describe(archive));
        return lines;
    }

    /** "N tensors in L naming": tells a wrong file or a typo from a checkpoint in the other naming. */
    String holdings() {
        return archive.names().size() + " tensors in " + naming.label() + " naming";
    }

    /** Releases the files; tensors borrowed from them become unusable. Idempotent. */
    @Override
    public void close() {
        archive.close();
    }

    @Override
    public String toString() {
        return "Checkpoint[" + path() + ", " + container.label() + ", " + naming.label() + "]";
    }
}
