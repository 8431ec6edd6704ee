package dev.surf.models.refiner.train;

import dev.surf.core.io.AtomicOutput;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The loss curve of a Refiner run as {@code loss.csv}: a header line, then one row per optimizer step:
 * {@code step,loss,frames} followed by the validation columns ({@link RefinerValidation#COLUMNS}),
 * empty on steps without a validation. The file is rewritten whole and atomically at every
 * checkpoint, so it always matches a checkpoint; a resumed run keeps the rows up to its step.
 */
public final class LossLog {
    /** One row; validation null when the step had none. */
    public record Row(long step, double loss, int frames, double[] validation) {
    }

    private final List<Row> rows = new ArrayList<>();

    /** The header line. */
    public static String header() {
        return "step,loss,frames," + String.join(",", RefinerValidation.COLUMNS);
    }

    public void add(Row row) {
        rows.add(row);
    }

    public List<Row> rows() {
        return List.copyOf(rows);
    }

    /** Writes the CSV atomically. */
    public void write(Path csv) throws IOException {
        try (AtomicOutput out = AtomicOutput.file(csv)) {
            try (Writer w = Files.newBufferedWriter(out.temp(), StandardCharsets.UTF_8)) {
                w.write(header());
                w.write('\n');
                for (Row r : rows) {
                    StringBuilder b = new StringBuilder();
                    b.append(r.step()).append(',').append(num(r.loss())).append(',').append(r.frames());
                    for (int j = 0; j < RefinerValidation.COLUMNS.size(); j++) {
                        b.append(',');
                        if (r.validation() != null) {
                            b.append(num(r.validation()[j]));
                        }
                    }
                    w.write(b.append('\n').toString());
                }
            }
            out.commit();
        }
    }

    /**
     * The rows of an earlier run's CSV up to and including {@code lastStep} (what its checkpoint
     * covers).
     *
     * @throws IOException naming the file when its header is not this format's
     */
    public static LossLog read(Path csv, long lastStep) throws IOException {
        LossLog log = new LossLog();
        if (!Files.exists(csv)) {
            return log;
        }
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).equals(header())) {
            throw new IOException(csv + " is not the loss log of surf train-refiner (header " + header() + ")");
        }
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            long step = Long.parseLong(f[0]);
            if (step > lastStep) {
                break;
            }
            double[] v = null;
            if (f.length > 3 && !f[3].isEmpty()) {
                v = new double[RefinerValidation.COLUMNS.size()];
                for (int j = 0; j < v.length; j++) {
                    v[j] = f[3 + j].equals("nan") ? Double.NaN : Double.parseDouble(f[3 + j]);
                }
            }
            log.add(new Row(step, Double.parseDouble(f[1]), Integer.parseInt(f[2]), v));
        }
        return log;
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "nan" : String.format(Locale.ROOT, "%.6g", v);
    }
}
