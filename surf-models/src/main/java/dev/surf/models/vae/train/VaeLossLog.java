package dev.surf.models.vae.train;

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
 * The loss curve of a VAE run: {@code loss.csv} (header {@link #HEADER}, one row per optimizer step:
 * the total and its parts as {@link VaeTrainer.Losses} reports them, the learning rate and the
 * gradient norm before clipping) and {@code loss.png} (total, L1, MSE and moment term on a log axis).
 * Rewritten whole and atomically at every checkpoint, so it always matches one; a resumed run keeps
 * the rows up to its step.
 */
public final class VaeLossLog {
    /** The CSV header. */
    public static final String HEADER = "step,loss,l1,mse,moment,lr,grad_norm";

    private final List<double[]> rows = new ArrayList<>();

    /** Appends step's losses. */
    public void add(long step, VaeTrainer.Losses l) {
        rows.add(new double[] {step, l.total(), l.l1(), l.mse(), l.moment(), l.lr(), l.gradNorm()});
    }

    /** Rows so far. */
    public int size() {
        return rows.size();
    }

    /** Writes the CSV atomically (9 significant digits: the same run gives the same bytes). */
    public void write(Path csv) throws IOException {
        try (AtomicOutput out = AtomicOutput.file(csv)) {
            try (Writer w = Files.newBufferedWriter(out.temp(), StandardCharsets.UTF_8)) {
                w.write(HEADER + "\n");
                for (double[] r : rows) {
                    StringBuilder b = new StringBuilder().append((long) r[0]);
                    for (int i = 1; i < r.length; i++) {
                        b.append(',').append(String.format(Locale.ROOT, "%.9g", r[i]));
                    }
                    w.write(b.append('\n').toString());
                }
            }
            out.commit();
        }
    }

    /**
     * The rows of an earlier run's CSV up to and including {@code lastStep}.
     *
     * @throws IOException naming the file when it is not this format
     */
    public static VaeLossLog read(Path csv, long lastStep) throws IOException {
        VaeLossLog log = new VaeLossLog();
        if (!Files.exists(csv)) {
            return log;
        }
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
            throw new IOException(csv + " is not the loss log of surf train-vae (header " + HEADER + ")");
        }
        try {
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.split(",", -1);
                double[] r = new double[f.length];
                for (int i = 0; i < f.length; i++) {
                    r[i] = Double.parseDouble(f[i]);
                }
                if (r.length != 7 || r[0] > lastStep) {
                    break;
                }
                log.rows.add(r);
            }
        } catch (NumberFormatException e) {
            throw new IOException(csv + ": malformed row (" + e.getMessage() + ")", e);
        }
        return log;
    }

    /** Draws {@code loss.png}. */
    public void chart(Path png) throws IOException {
        String[] names = {"total", "L1", "MSE", "latent moment term"};
        XYSeriesCollection data = new XYSeriesCollection();
        for (int k = 0; k < names.length; k++) {
            XYSeries s = new XYSeries(names[k]);
            for (double[] r : rows) {
                if (r[1 + k] > 0) {
                    s.add(r[0], r[1 + k]);
                }
            }
            data.addSeries(s);
        }
        XYPlot plot = new XYPlot();
        plot.setDomainAxis(new NumberAxis("optimizer step"));
        plot.setRangeAxis(new LogAxis("loss"));
        plot.setDataset(data);
        plot.setRenderer(ChartPng.lines(false, new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0x9467bd)));
        ChartPng.write(png, "Wan-VAE training (surf train-vae)", plot);
    }
}
