package dev.surf.models.world.train;

import dev.surf.core.io.AtomicOutput;
import dev.surf.models.charts.ChartPng;
import java.awt.Color;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The loss curve of a DiT run: {@code loss.csv} with the header {@link #HEADER} and one row per
 * optimizer step (the step's mean velocity MSE, its learning rate and the gradient norm before
 * clipping), and {@code loss.png}, the loss on a log axis with a running mean over 50 steps. The CSV
 * is rewritten whole and atomically at every checkpoint, so it always matches one; a resumed run
 * keeps the rows up to its step.
 */
public final class DitLossLog {
    /** The CSV header. */
    public static final String HEADER = "step,loss,lr,grad_norm";

    /** Steps of the running mean drawn over the raw loss. */
    static final int SMOOTHING = 50;

    /** One optimizer step. */
    public record Row(long step, double loss, double lr, double gradNorm) {
    }

    private final List<Row> rows = new ArrayList<>();

    public void add(Row row) {
        rows.add(row);
    }

    public List<Row> rows() {
        return List.copyOf(rows);
    }

    /** Writes the CSV atomically (numbers with 9 significant digits: the same run gives the same bytes). */
    public void write(Path csv) throws IOException {
        try (AtomicOutput out = AtomicOutput.file(csv)) {
            try (Writer w = Files.newBufferedWriter(out.temp(), StandardCharsets.UTF_8)) {
                w.write(HEADER + "\n");
                for (Row r : rows) {
                    w.write(r.step() + "," + num(r.loss()) + "," + num(r.lr()) + "," + num(r.gradNorm()) + "\n");
                }
            }
            out.commit();
        }
    }

    /**
     * The rows of an earlier run's CSV up to and including {@code lastStep} (what its checkpoint covers).
     *
     * @throws IOException naming the file when it is not this format
     */
    public static DitLossLog read(Path csv, long lastStep) throws IOException {
        DitLossLog log = new DitLossLog();
        if (!Files.exists(csv)) {
            return log;
        }
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
            throw new IOException(csv + " is not the loss log of surf train-dit (header " + HEADER + ")");
        }
        try {
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.split(",", -1);
                long step = Long.parseLong(f[0]);
                if (step > lastStep) {
                    break;
                }
                log.add(new Row(step, parse(f[1]), parse(f[2]), parse(f[3])));
            }
        } catch (RuntimeException e) {
            throw new IOException(csv + ": malformed row (" + e.getMessage() + ")", e);
        }
        return log;
    }

    /** Draws {@code loss.png}. */
    public void chart(Path png, String title) throws IOException {
        XYSeries raw = new XYSeries("training loss");
        XYSeries mean = new XYSeries("mean of the last " + SMOOTHING + " steps");
        double sum = 0;
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            sum += r.loss();
            if (i >= SMOOTHING) {
                sum -= rows.get(i - SMOOTHING).loss();
            }
            if (r.loss() > 0) {
                raw.add(r.step(), r.loss());
                mean.add(r.step(), sum / Math.min(i + 1, SMOOTHING));
            }
        }
        XYPlot plot = new XYPlot();
        plot.setDomainAxis(new NumberAxis("optimizer step"));
        plot.setRangeAxis(new LogAxis("loss (MSE of the velocity)"));
        XYSeriesCollection data = new XYSeriesCollection(raw);
        data.addSeries(mean);
        plot.setDataset(data);
        plot.setRenderer(ChartPng.lines(false, new Color(0xaec7e8), new Color(0x1f77b4)));
        ChartPng.write(png, title, plot);
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "nan" : String.format(Locale.ROOT, "%.9g", v);
    }

    private static double parse(String s) {
        return s.equals("nan") ? Double.NaN : Double.parseDouble(s);
    }
}
