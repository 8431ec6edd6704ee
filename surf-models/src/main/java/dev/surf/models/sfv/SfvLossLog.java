package dev.surf.models.sfv;

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
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The losses of an SF-V run, one row per step: {@code loss.csv} (step, the generator's hinge loss,
 * the teacher regression MSE, the discriminator's hinge loss; 9 significant digits, so a run's
 * bytes repeat) and {@code loss.png}. The hinge losses are the adversarial game's balance: L_D
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

    /** Writes the CSV atomically. */
    public void write(Path csv) throws IOException {
        try (AtomicOutput out = AtomicOutput.file(csv)) {
            try (Writer w = Files.newBufferedWriter(out.temp(), StandardCharsets.UTF_8)) {
                w.write(HEADER + "\n");
                for (int i = 0; i < rows.size(); i++) {
                    SfvTrainer.Losses l = rows.get(i);
                    w.write(steps.get(i) + "," + num(l.generatorAdversarial()) + "," + num(l.regression()) + ","
                            + num(l.discriminator()) + "\n");
                }
            }
            out.commit();
        }
    }

    /** The rows of an earlier run's CSV up to and including lastStep (what its checkpoint covers). */
    public static SfvLossLog read(Path csv, long lastStep) throws IOException {
        SfvLossLog log = new SfvLossLog();
        if (!Files.exists(csv)) {
            return log;
        }
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
            throw new IOException(csv + " is not the loss log of surf train-sfv (header " + HEADER + ")");
        }
        try {
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.split(",", -1);
                long step = Long.parseLong(f[0]);
                if (step > lastStep) {
                    break;
                }
                log.add(step, new SfvTrainer.Losses(parse(f[1]), parse(f[2]), parse(f[3])));
            }
        } catch (RuntimeException e) {
            throw new IOException(csv + ": malformed row (" + e.getMessage() + ")", e);
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

    private static String num(double v) {
        return Double.isNaN(v) ? "nan" : String.format(Locale.ROOT, "%.9g", v);
    }

    private static double parse(String s) {
        return s.equals("nan") ? Double.NaN : Double.parseDouble(s);
    }
}
