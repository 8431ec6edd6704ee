package dev.surf.core.optim;

import dev.surf.core.DType;
import dev.surf.core.Tensor;
import dev.surf.core.safetensors.SafetensorsException;
import dev.surf.core.safetensors.SafetensorsFile;
import dev.surf.core.safetensors.SafetensorsWriter;
import dev.surf.core.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A training checkpoint as one safetensors file: for every trainable parameter {@code param.NAME}
 * (F32 master weights), {@code adam.m.NAME} and {@code adam.v.NAME} (AdamW moments) and, with an
 * EMA, {@code ema.NAME}; the metadata holds the format version, the optimizer's step count and
 * hyper-parameters, the {@link TrainProgress} (loop step, data position, RNG position, learning-rate
 * schedule) and the EMA decay. Keys are sorted, so the same state always gives the same bytes.
 *
 * <p>Frozen parameters are not stored: they come from the base model the run started from.
 *
 * <p>Writing is crash-safe: the file is written under a temporary name in the same folder, forced
 * to disk, renamed over the target in one atomic step and the folder is synced, so at every moment
 * the target name holds either the previous complete checkpoint or the new one. Temporary files left
 * by a killed writer are removed by the next save.
 */
public final class TrainCheckpoint {
    /** The value of {@code surf.format}. */
    public static final String FORMAT = "surf-train-checkpoint";
    /** The layout version written; loading accepts only this one. */
    public static final int VERSION = 1;

    static final String PARAM = "param.";
    static final String ADAM_M = "adam.m.";
    static final String ADAM_V = "adam.v.";
    static final String EMA = "ema.";

    private TrainCheckpoint() {
    }

    /**
     * Writes the state of a run to {@code file}, replacing a previous checkpoint there atomically.
     *
     * @param ema the moving average, or null when the run keeps none
     */
    public static void save(Path file, ParameterSet params, AdamW adam, Ema ema, TrainProgress progress)
            throws IOException {
        if (ema != null && ema.isSwappedIn()) {
            throw new IllegalStateException(file + ": cannot save while the EMA weights are swapped in (close the swap first)");
        }
        Map<String, Tensor> tensors = tensors(params, adam, ema);
        Map<String, String> meta = CheckpointMetadata.write(adam, ema, progress, params);
        Path dir = file.toAbsolutePath().getParent();
        removeStaleTemporaries(dir, file.getFileName().toString());
        SafetensorsWriter.write(file, tensors, meta);
        syncDirectory(dir);
    }

    /**
     * Restores a run from {@code file} into existing state: the masters of the trainable parameters,
     * the optimizer's moments and step count and (when {@code ema} is not null) the averages. Every
     * name, dtype and shape is checked before anything is overwritten, so a mismatch leaves the
     * state as it was; the error names the file and the tensor.
     *
     * @return the saved loop progress
     * @throws SafetensorsException if the file is not a checkpoint of this format or does not match
     *     the parameters
     */
    public static TrainProgress load(Path file, ParameterSet params, AdamW adam, Ema ema) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            CheckpointMetadata meta = CheckpointMetadata.read(file, f.metadata());
            if (ema != null && !params.trainable().isEmpty() && f.names().stream().noneMatch(k -> k.startsWith(EMA))) {
                throw new SafetensorsException(file, "holds no EMA weights ('" + EMA + "*') but the run keeps an EMA");
            }
            Map<String, Tensor> targets = tensors(params, adam, ema); // checkpoint key -> tensor it restores
            // The weights first: a missing or reshaped parameter is reported under its param.* key.
            for (boolean weights : new boolean[] {true, false}) {
                for (Map.Entry<String, Tensor> t : targets.entrySet()) {
                    if (t.getKey().startsWith(PARAM) == weights) {
                        check(file, f, t.getKey(), t.getValue());
                    }
                }
            }
            for (String key : f.names()) {
                if (!targets.containsKey(key) && !(ema == null && key.startsWith(EMA))) {
                    String name = parameterOf(key);
                    throw new SafetensorsException(file, name == null
                            ? "tensor '" + key + "' is not part of a training checkpoint"
                            : "tensor '" + key + "' belongs to parameter '" + name + "', which "
                                    + (params.has(name) ? "is frozen here" : "is not a parameter of this model"));
                }
            }
            for (Map.Entry<String, Tensor> t : targets.entrySet()) {
                Tensor target = t.getValue();
                try (Tensor src = f.read(target.backend(), t.getKey())) {
                    target.backend().copy(src, target);
                }
            }
            adam.restoreStepCount(meta.adamStep());
            return meta.progress();
        }
    }

    /** The tensors of a checkpoint of this state, under their keys in sorted order. */
    private static Map<String, Tensor> tensors(ParameterSet params, AdamW adam, Ema ema) {
        Map<String, Tensor> tensors = new TreeMap<>();
        for (Parameter p : params.trainable()) {
            tensors.put(PARAM + p.name(), p.master());
            tensors.put(ADAM_M + p.name(), adam.firstMoment(p.name()));
            tensors.put(ADAM_V + p.name(), adam.secondMoment(p.name()));
            if (ema != null) {
                tensors.put(EMA + p.name(), ema.shadow(p.name()));
            }
        }
        return tensors;
    }

    /** The parameter a checkpoint tensor belongs to, or null when the key has none of the prefixes. */
    private static String parameterOf(String key) {
        for (String prefix : List.of(PARAM, ADAM_M, ADAM_V, EMA)) {
            if (key.startsWith(prefix)) {
                return key.substring(prefix.length());
            }
        }
        return null;
    }

    /** The tensor {@code key} exists as F32 with the shape of {@code target}. */
    private static void check(Path file, SafetensorsFile f, String key, Tensor target) throws SafetensorsException {
        String name = parameterOf(key);
        if (!f.has(key)) {
            throw new SafetensorsException(file, "has no tensor '" + key + "' for trainable parameter '" + name
                    + "' (was it frozen when the checkpoint was written?)");
        }
        TensorInfo info = f.info(key);
        if (info.dtype() != DType.F32) {
            throw new SafetensorsException(file, "tensor '" + key + "' is " + info.dtypeName() + ", checkpoints hold F32");
        }
        if (!info.shape().equals(target.shape())) {
            throw new SafetensorsException(file, "tensor '" + key + "' has shape " + info.shape()
                    + " but parameter '" + name + "' has " + target.shape());
        }
    }

    /** Deletes ".NAME.*.tmp" files that a writer killed mid-way (see SafetensorsWriter) left behind. */
    private static void removeStaleTemporaries(Path dir, String name) throws IOException {
        String prefix = "." + name + ".";
        // A filter, not a glob: checkpoint names may hold glob characters such as '[' or '{'.
        DirectoryStream.Filter<Path> ours = p -> {
            String f = p.getFileName().toString();
            return f.startsWith(prefix) && f.endsWith(".tmp") && f.length() > prefix.length() + 4;
        };
        try (DirectoryStream<Path> stale = Files.newDirectoryStream(dir, ours)) {
            for (Path p : stale) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Makes the rename itself durable (the new directory entry), not only the file's bytes. */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some platforms (Windows) cannot open a directory; the rename is still atomic there.
        }
    }
}
