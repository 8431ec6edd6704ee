package dev.surf.core.optim;

import dev.surf.core.safetensors.SafetensorsException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The metadata half of a {@link TrainCheckpoint}: every scalar of the run as a string, under sorted
 * keys. Doubles are written in Java's shortest round-trip form so that reading gives the same bits.
 *
 * @param adamStep the optimizer's step count
 * @param progress the loop's progress
 */
record CheckpointMetadata(long adamStep, TrainProgress progress) {
    static final String FORMAT_KEY = "surf.format";
    static final String VERSION_KEY = "surf.format_version";

    /** The metadata of a checkpoint of this state. */
    static Map<String, String> write(AdamW adam, Ema ema, TrainProgress p, ParameterSet params) {
        Map<String, String> m = new TreeMap<>();
        m.put(FORMAT_KEY, TrainCheckpoint.FORMAT);
        m.put(VERSION_KEY, Integer.toString(TrainCheckpoint.VERSION));
        AdamW.Config c = adam.config();
        m.put("adam.step", Long.toString(adam.stepCount()));
        m.put("adam.lr", Double.toString(c.lr()));
        m.put("adam.beta1", Double.toString(c.beta1()));
        m.put("adam.beta2", Double.toString(c.beta2()));
        m.put("adam.eps", Double.toString(c.eps()));
        m.put("adam.weight_decay", Double.toString(c.weightDecay()));
        if (ema != null) {
            m.put("ema.decay", Double.toString(ema.decay()));
        }
        m.put("params.trainable", Integer.toString(params.trainable().size()));
        m.put("params.frozen", Integer.toString(params.size() - params.trainable().size()));
        m.put("train.step", Long.toString(p.step()));
        m.put("data.seed", Long.toString(p.dataSeed()));
        m.put("data.size", Integer.toString(p.dataSize()));
        m.put("data.epoch", Long.toString(p.data().epoch()));
        m.put("data.index", Integer.toString(p.data().index()));
        m.put("rng.seed", Long.toString(p.rngSeed()));
        m.put("rng.offset", Long.toString(p.rngOffset()));
        m.put("lr.schedule", p.schedule().spec());
        return m;
    }

    /** Parses the metadata of {@code file}; a missing or malformed entry gives one line naming it. */
    static CheckpointMetadata read(Path file, Map<String, String> m) throws SafetensorsException {
        if (!TrainCheckpoint.FORMAT.equals(m.get(FORMAT_KEY))) {
            throw new SafetensorsException(file, "is not a training checkpoint (metadata " + FORMAT_KEY + " is "
                    + (m.containsKey(FORMAT_KEY) ? "'" + m.get(FORMAT_KEY) + "'" : "missing") + ", expected '"
                    + TrainCheckpoint.FORMAT + "')");
        }
        if (!Integer.toString(TrainCheckpoint.VERSION).equals(m.get(VERSION_KEY))) {
            throw new SafetensorsException(file, "is a training checkpoint of format version " + m.get(VERSION_KEY)
                    + "; this build reads version " + TrainCheckpoint.VERSION);
        }
        try {
            DataOrder.Position data = new DataOrder.Position(number(file, m, "data.epoch"),
                    Math.toIntExact(number(file, m, "data.index")));
            TrainProgress p = new TrainProgress(number(file, m, "train.step"), number(file, m, "data.seed"),
                    Math.toIntExact(number(file, m, "data.size")), data, number(file, m, "rng.seed"),
                    number(file, m, "rng.offset"), LrSchedule.parse(text(file, m, "lr.schedule")));
            return new CheckpointMetadata(number(file, m, "adam.step"), p);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new SafetensorsException(file, "metadata is inconsistent: " + e.getMessage());
        }
    }

    private static String text(Path file, Map<String, String> m, String key) throws SafetensorsException {
        String v = m.get(key);
        if (v == null) {
            throw new SafetensorsException(file, "metadata entry '" + key + "' is missing");
        }
        return v;
    }

    private static long number(Path file, Map<String, String> m, String key) throws SafetensorsException {
        String v = text(file, m, key);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new SafetensorsException(file, "metadata entry '" + key + "' is '" + v + "', not an integer");
        }
    }
}
