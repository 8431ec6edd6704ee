package dev.surf.models.vae.train;

import dev.surf.models.charts.ChartPng;
import dev.surf.models.train.StepCsv;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

    private final List<StepCsv.Row> rows = new ArrayList<>();

    /** Appends step's losses. */
    public void add(long step, VaeTrainer.Losses l) {
        rows.add(new StepCsv.Row(step, new double[] {l.total(), l.l1(), l.mse(), l.moment(), l.lr(), l.gradNorm()}));
    }

    /** Rows so far. */
    public int size() {
        return rows.size();
    }

    /** Writes the CSV atomically (9 significant digits: the same run gives the same bytes). */
    public void write(Path csv) throws IOException {
        StepCsv.write(csv, HEADER, rows);
    }

    /**
     * The rows of an earlier run's CSV up to and including {@code lastStep}.
     *
     * @throws IOException naming the file when it is not this format
     */
    public static VaeLossLog read(Path csv, long lastStep) throws IOException {
        VaeLossLog log = new VaeLossLog();
        log.rows.addAll(StepCsv.read(csv, HEADER, lastStep, "surf train-vae"));
        return log;
    }

    /** Draws {@code loss.png}. */
    public void chart(Path png) throws IOException {
        String[] names = {"total", "L1", "MSE", "latent moment term"};
        XYSeriesCollection data = new XYSeriesCollection();
        for (int k = 0; k < names.length; k++) {
            XYSeries s = new XYSeries(names[k]);
            for (StepCsv.Row r : rows) {
                if (r.value(k) > 0) {
                    s.add(r.step(), r.value(k));
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
