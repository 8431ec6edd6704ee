package dev.surf.models.sweep;

import dev.surf.models.charts.ChartPng;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The prompt-set sweep as a PNG of two panels over k: sampling time and TFLOP on top; below, the
 * checker's colour and motion agreement (percent, left axis) and PSNR against the baseline (dB, right
 * axis; the baseline's infinite PSNR is left out).
 */
public final class WorldSweepChart {
    private WorldSweepChart() {
    }

    public static void write(Path png, List<WorldSweepRow> rows, String title) throws IOException {
        XYSeries seconds = new XYSeries("sampling seconds");
        XYSeries tflop = new XYSeries("TFLOP");
        XYSeries colour = new XYSeries("colour follows %");
        XYSeries motion = new XYSeries("motion follows %");
        XYSeries psnr = new XYSeries("PSNR dB vs baseline");
        for (WorldSweepRow r : rows) {
            seconds.add(r.k(), r.seconds());
            tflop.add(r.k(), r.tflops());
            colour.add(r.k(), r.colourPercent());
            motion.add(r.k(), r.motionPercent());
            if (Double.isFinite(r.psnr())) {
                psnr.add(r.k(), r.psnr());
            }
        }
        NumberAxis k = new NumberAxis("k (steps at the base resolution)");
        XYPlot cost = twoAxes(new NumberAxis("seconds"), seconds, new Color(0xd62728), new NumberAxis("TFLOP"), tflop,
                new Color(0x7f7f7f));
        NumberAxis pct = new NumberAxis("checker agreement %");
        pct.setRange(0, 105);
        XYPlot quality = twoAxes(pct, null, null, new NumberAxis("PSNR dB"), psnr, new Color(0x1f77b4));
        XYSeriesCollection agree = new XYSeriesCollection();
        agree.addSeries(colour);
        agree.addSeries(motion);
        quality.setDataset(0, agree);
        quality.setRenderer(0, ChartPng.lines(true, new Color(0x2ca02c), new Color(0x9467bd)));
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(k);
        plot.add(cost, 1);
        plot.add(quality, 1);
        ChartPng.write(png, title, plot);
    }

    private static XYPlot twoAxes(NumberAxis left, XYSeries a, Color ca, NumberAxis right, XYSeries b, Color cb) {
        XYPlot p = new XYPlot();
        left.setAutoRangeIncludesZero(a == null);
        p.setRangeAxis(0, left);
        if (a != null) {
            p.setDataset(0, new XYSeriesCollection(a));
            p.setRenderer(0, ChartPng.lines(true, ca));
        }
        right.setAutoRangeIncludesZero(false);
        p.setRangeAxis(1, right);
        p.setDataset(1, new XYSeriesCollection(b));
        p.setRenderer(1, ChartPng.lines(true, cb));
        p.mapDatasetToRangeAxis(1, 1);
        return p;
    }
}
