package dev.surf.models.sweep;

import dev.surf.core.io.AtomicOutput;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
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
        plot.setRenderer(0, renderer(new Color(0x1f77b4)));
        plot.setRangeAxis(1, new NumberAxis("seconds"));
        plot.setDataset(1, new XYSeriesCollection(time));
        plot.setRenderer(1, renderer(new Color(0xd62728)));
        plot.mapDatasetToRangeAxis(1, 1);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        try (AtomicOutput out = AtomicOutput.file(png)) {
            ChartUtils.saveChartAsPNG(out.temp().toFile(), chart, 900, 540);
            out.commit();
        }
    }

    private static XYLineAndShapeRenderer renderer(Color c) {
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        r.setSeriesPaint(0, c);
        r.setSeriesStroke(0, new BasicStroke(2f));
        return r;
    }
}
