package dev.surf.models.train;

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
 * The per-step CSV of a training run: a header line, then one row per optimizer step, the step
 * followed by numbers written with 9 significant digits ({@code nan} for NaN), so that the same run
 * gives the same bytes. Written whole and atomically (at each checkpoint, so the file always
 * matches one); read back up to a checkpoint's step when a run resumes.
 */
public final class StepCsv {
    /** One row: the step and its values (in the header's order after "step"). */
    public record Row(long step, double[] values) {
        public Row {
            values = values.clone();
        }

        @Override
        public double[] values() {
            return values.clone();
        }

        /** Value j. */
        public double value(int j) {
            return values[j];
        }
    }

    private StepCsv() {
    }

    /** Writes the header and the rows atomically. */
    public static void write(Path csv, String header, List<Row> rows) throws IOException {
        try (AtomicOutput out = AtomicOutput.file(csv)) {
            try (Writer w = Files.newBufferedWriter(out.temp(), StandardCharsets.UTF_8)) {
                w.write(header + "\n");
                for (Row r : rows) {
                    StringBuilder b = new StringBuilder().append(r.step());
                    for (double v : r.values) {
                        b.append(',').append(Double.isNaN(v) ? "nan" : String.format(Locale.ROOT, "%.9g", v));
                    }
                    w.write(b.append('\n').toString());
                }
            }
            out.commit();
        }
    }

    /**
     * The rows of an earlier run's CSV up to and including {@code lastStep} (none when the file does
     * not exist).
     *
     * @param command the command that writes this format, for the message
     * @throws IOException naming the file when its header is not {@code header} or a row is malformed
     */
    public static List<Row> read(Path csv, String header, long lastStep, String command) throws IOException {
        List<Row> rows = new ArrayList<>();
        if (!Files.exists(csv)) {
            return rows;
        }
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).equals(header)) {
            throw new IOException(csv + " is not the loss log of " + command + " (header " + header + ")");
        }
        int columns = header.split(",", -1).length;
        try {
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.split(",", -1);
                if (f.length != columns) {
                    throw new IllegalArgumentException(f.length + " fields, the header has " + columns);
                }
                long step = Long.parseLong(f[0]);
                if (step > lastStep) {
                    break;
                }
                double[] v = new double[columns - 1];
                for (int j = 0; j < v.length; j++) {
                    v[j] = f[j + 1].equals("nan") ? Double.NaN : Double.parseDouble(f[j + 1]);
                }
                rows.add(new Row(step, v));
            }
        } catch (RuntimeException e) {
            throw new IOException(csv + ": malformed row (" + e.getMessage() + ")", e);
        }
        return rows;
    }
}
