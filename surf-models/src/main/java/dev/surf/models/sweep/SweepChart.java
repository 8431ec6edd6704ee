package dev.surf.models.sweep;

import dev.surf.models.charts.ChartPng;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The sweep as a PNG: preview quality (cosine similarity) and time against k, two y axes. */
public final class SweepChart {
    private SweepChart() {
    }

    public static void write(Path png, List<SweepRow> rows, String title) throws IOException {
        XYSeries quality = new XYSeries("cosine similarity to the baseline");
        XYSeries time = new XYSeries("seconds");
        for (SweepRow r : rows) {
            quality.add(r.k(), r.cosine());
            time.add(r.k(), r.seconds());
        }
        XYPlot plot = new XYPlot();
        plot.setDomainAxis(new NumberAxis("k (steps at the base resolution)"));
        NumberAxis q = new NumberAxis("cosine similarity");
        q.setAutoRangeIncludesZero(false);
        plot.setRangeAxis(0, q);
        plot.setDataset(0, new XYSeriesCollection(quality));
        plot.setRenderer(0, ChartPng.lines(true, new Color(0x1f77b4)));
        plot.setRangeAxis(1, new NumberAxis("seconds"));
        plot.setDataset(1, new XYSeriesCollection(time));
        plot.setRenderer(1, ChartPng.lines(true, new Color(0xd62728)));
        plot.mapDatasetToRangeAxis(1, 1);
        ChartPng.write(png, title, plot);
    }
}
