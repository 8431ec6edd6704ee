package dev.surf.models.sfv;

import dev.surf.models.charts.ChartPng;
import dev.surf.models.train.StepCsv;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The losses of an SF-V run, one row per step: {@code loss.csv} (step, the generator's hinge loss,
 * the teacher regression MSE, the discriminator's hinge loss; {@link StepCsv}, so a run's bytes
 * repeat) and {@code loss.png}. The hinge losses are the adversarial game's balance: L_D
 * near 2 and L_G near 0 mean neither side is winning, L_D falling to 0 means the discriminator wins.
 */
public final class SfvLossLog {
    /** The CSV header. */
    public static final String HEADER = "step,generator_hinge,regression_mse,discriminator_hinge";

    private final List<SfvTrainer.Losses> rows = new ArrayList<>();
    private final List<Long> steps = new ArrayList<>();

    /** Appends step's losses. */
    public void add(long step, SfvTrainer.Losses losses) {
        steps.add(step);
        rows.add(losses);
    }

    /** Rows so far. */
    public int size() {
        return rows.size();
    }

    /** Writes the CSV atomically ({@link StepCsv}). */
    public void write(Path csv) throws IOException {
        List<StepCsv.Row> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            SfvTrainer.Losses l = rows.get(i);
            out.add(new StepCsv.Row(steps.get(i), new double[] {l.generatorAdversarial(), l.regression(), l.discriminator()}));
        }
        StepCsv.write(csv, HEADER, out);
    }

    /** The rows of an earlier run's CSV up to and including lastStep (what its checkpoint covers). */
    public static SfvLossLog read(Path csv, long lastStep) throws IOException {
        SfvLossLog log = new SfvLossLog();
        for (StepCsv.Row r : StepCsv.read(csv, HEADER, lastStep, "surf train-sfv")) {
            log.add(r.step(), new SfvTrainer.Losses(r.value(0), r.value(1), r.value(2)));
        }
        return log;
    }

    /** Draws the three curves against the step. */
    public void chart(Path png, String title) throws IOException {
        XYSeries g = new XYSeries("generator hinge L_G");
        XYSeries r = new XYSeries("teacher regression (MSE)");
        XYSeries d = new XYSeries("discriminator hinge L_D");
        for (int i = 0; i < rows.size(); i++) {
            SfvTrainer.Losses l = rows.get(i);
            g.add(steps.get(i).doubleValue(), l.generatorAdversarial());
            if (!Double.isNaN(l.regression())) {
                r.add(steps.get(i).doubleValue(), l.regression());
            }
            d.add(steps.get(i).doubleValue(), l.discriminator());
        }
        XYPlot plot = new XYPlot();
        plot.setDomainAxis(new NumberAxis("step"));
        plot.setRangeAxis(new NumberAxis("loss"));
        XYSeriesCollection data = new XYSeriesCollection(g);
        data.addSeries(r);
        data.addSeries(d);
        plot.setDataset(data);
        plot.setRenderer(ChartPng.lines(false, new Color(0x1f77b4), new Color(0x2ca02c), new Color(0xd62728)));
        ChartPng.write(png, title, plot);
    }
}
