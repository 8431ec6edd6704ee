package dev.surf.models.charts;

import dev.surf.core.io.AtomicOutput;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;

/**
 * The look and the file of every chart the commands write (sweep-k, train-refiner): white
 * background, light grid, a legend, 900 x 540 pixels, written through {@link AtomicOutput} so a
 * killed run never leaves half a PNG.
 */
public final class ChartPng {
    private ChartPng() {
    }

    /** Styles plot and writes it with its title to png (replaced atomically). */
    public static void write(Path png, String title, XYPlot plot) throws IOException {
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

    /** Lines 2 pixels wide in the given colours, one per series, with or without point markers. */
    public static XYLineAndShapeRenderer lines(boolean markers, Color... colors) {
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, markers);
        for (int i = 0; i < colors.length; i++) {
            r.setSeriesPaint(i, colors[i]);
            r.setSeriesStroke(i, new BasicStroke(2f));
        }
        return r;
    }
}
