package dev.surf.models.refiner.train;

import dev.surf.models.charts.ChartPng;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * {@code loss.png}: the training and validation loss against the step (log axis, left) and the
 * validation PSNR of the refined clip, of bilinear upscaling and of the un-refined preview (right).
 */
public final class LossChart {
    private LossChart() {
    }

    public static void write(Path png, LossLog log, String title) throws IOException {
        XYSeries train = new XYSeries("training loss");
        XYSeries val = new XYSeries("validation loss");
        XYSeries refined = new XYSeries("PSNR refined");
        XYSeries bilinear = new XYSeries("PSNR bilinear");
        XYSeries preview = new XYSeries("PSNR un-refined preview");
        for (LossLog.Row r : log.rows()) {
            if (r.loss() > 0) {
                train.add(r.step(), r.loss());
            }
            double[] v = r.validation();
            if (v != null) {
                if (v[0] > 0) {
                    val.add(r.step(), v[0]);
                }
                if (!Double.isNaN(v[3])) {
                    refined.add(r.step(), v[3]);
                    bilinear.add(r.step(), v[5]);
                    preview.add(r.step(), v[7]);
                }
            }
        }
        XYPlot plot = new XYPlot();
        plot.setDomainAxis(new NumberAxis("optimizer step"));
        LogAxis loss = new LogAxis("loss (MSE of the velocity)");
        plot.setRangeAxis(0, loss);
        XYSeriesCollection losses = new XYSeriesCollection(train);
        losses.addSeries(val);
        plot.setDataset(0, losses);
        plot.setRenderer(0, ChartPng.lines(false, new Color(0x1f77b4), new Color(0xff7f0e)));
        NumberAxis db = new NumberAxis("validation PSNR (dB)");
        db.setAutoRangeIncludesZero(false);
        plot.setRangeAxis(1, db);
        XYSeriesCollection psnr = new XYSeriesCollection(refined);
        psnr.addSeries(bilinear);
        psnr.addSeries(preview);
        plot.setDataset(1, psnr);
        plot.setRenderer(1, ChartPng.lines(false, new Color(0x2ca02c), new Color(0x7f7f7f), new Color(0xd62728)));
        plot.mapDatasetToRangeAxis(1, 1);
        ChartPng.write(png, title, plot);
    }
}
