package dev.surf.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * PNG charts from JMH JSON results ({@code benchmarks.jar ... -rf json -rff results.json}):
 * <pre>
 *   java -cp surf-bench/target/benchmarks.jar dev.surf.bench.BenchCharts results.json docs/charts
 * </pre>
 * writes {@code gflops.png} (the "gflop" secondary metric, GFLOP/s, per benchmark and parameters) and,
 * when SurfPipelineBench results are present, {@code surf-speedup.png} (baseline time / SURF time
 * against k, and the FLOP-model ratio for comparison).
 */
public final class BenchCharts {
    private BenchCharts() {
    }

    /** One JMH result: benchmark name, parameters, primary score and unit, secondary gflop score. */
    record Result(String benchmark, Map<String, String> params, double score, String unit, double gflop) {
        String label() {
            String shortName = benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1);
            return params.isEmpty() ? shortName : shortName + " " + params;
        }
    }

    public static void main(String[] args) throws IOException {
        System.setProperty("java.awt.headless", "true");
        if (args.length != 2) {
            System.err.println("usage: BenchCharts RESULTS.json OUTPUT_DIR");
            System.exit(2);
        }
        List<Result> results = read(Path.of(args[0]));
        Path dir = Files.createDirectories(Path.of(args[1]));
        gflops(results, dir.resolve("gflops.png"));
        List<Result> surf = results.stream().filter(r -> r.benchmark().endsWith("SurfPipelineBench.generate")).toList();
        if (!surf.isEmpty()) {
            speedup(surf, dir.resolve("surf-speedup.png"));
        }
        System.out.println("charts written to " + dir);
    }

    static List<Result> read(Path json) throws IOException {
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        if (root == null || !root.isArray()) {
            throw new IOException(json + " is not a JMH JSON result file (expected an array)");
        }
        List<Result> out = new ArrayList<>();
        for (JsonNode n : root) {
            Map<String, String> params = new TreeMap<>();
            JsonNode p = n.path("params");
            for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
                var e = it.next();
                params.put(e.getKey(), e.getValue().asText());
            }
            JsonNode primary = n.path("primaryMetric");
            JsonNode g = n.path("secondaryMetrics").path("gflop");
            out.add(new Result(n.path("benchmark").asText(), params, primary.path("score").asDouble(),
                    primary.path("scoreUnit").asText(), g.isMissingNode() ? Double.NaN : g.path("score").asDouble()));
        }
        return out;
    }

    private static void gflops(List<Result> results, Path png) throws IOException {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (Result r : results) {
            if (!Double.isNaN(r.gflop())) {
                // AverageTime results report gflop per time unit of the primary score; normalise to per second
                double perSecond = r.unit().startsWith("ms/") ? r.gflop() * 1000 : r.unit().startsWith("us/") ? r.gflop() * 1e6 : r.gflop();
                data.addValue(perSecond, "GFLOP/s", r.label());
            }
        }
        JFreeChart chart = ChartFactory.createBarChart("surf benchmarks", "", "GFLOP/s (GB/s for CpuOpsBench)", data,
                PlotOrientation.HORIZONTAL, false, false, false);
        save(chart, png, 1000, 120 + 28 * data.getColumnCount());
    }

    private static void speedup(List<Result> surf, Path png) throws IOException {
        Map<Integer, Double> time = new TreeMap<>();
        int steps = Integer.parseInt(surf.get(0).params().getOrDefault("steps", "0"));
        for (Result r : surf) {
            time.put(Integer.parseInt(r.params().get("k")), r.score());
        }
        Double base = time.get(steps);
        if (base == null) {
            System.err.println("no baseline (k = steps = " + steps + ") among the SurfPipelineBench results: speedup chart skipped");
            return;
        }
        XYSeries s = new XYSeries("measured speedup (baseline time / SURF time)");
        for (var e : time.entrySet()) {
            s.add((double) e.getKey(), base / e.getValue());
        }
        JFreeChart chart = ChartFactory.createXYLineChart("SURF speedup vs k (" + steps + " steps)", "k (steps at the base size)",
                "speedup", new XYSeriesCollection(s), PlotOrientation.VERTICAL, true, false, false);
        chart.getXYPlot().getRenderer().setSeriesPaint(0, new Color(0x1f77b4));
        save(chart, png, 900, 540);
    }

    private static void save(JFreeChart chart, Path png, int w, int h) throws IOException {
        chart.setBackgroundPaint(Color.WHITE);
        Path tmp = png.resolveSibling(png.getFileName() + ".part");
        ChartUtils.saveChartAsPNG(tmp.toFile(), chart, w, h);
        Files.move(tmp, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
