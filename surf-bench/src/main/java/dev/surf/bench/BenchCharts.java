package dev.surf.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
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
 *   java -cp surf-bench/target/benchmarks.jar dev.surf.bench.BenchCharts results.json [more.json ...] docs/charts
 * </pre>
 * writes {@code gflops.png} (the "gflop" secondary metric, GFLOP/s, per benchmark and parameters),
 * {@code scaling.png} (GFLOP/s against the {@code size} parameter, one line per benchmark) when
 * benchmarks ran at several sizes, and {@code surf-speedup.png} (baseline time / SURF time against k)
 * when SurfPipelineBench results are present.
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
        if (args.length < 2) {
            System.err.println("usage: BenchCharts RESULTS.json [MORE.json ...] OUTPUT_DIR");
            System.exit(2);
        }
        List<Result> results = new ArrayList<>();
        for (int i = 0; i < args.length - 1; i++) {
            results.addAll(read(Path.of(args[i])));
        }
        Path dir = Files.createDirectories(Path.of(args[args.length - 1]));
        gflops(results, dir.resolve("gflops.png"));
        scaling(results, dir.resolve("scaling.png"));
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
            for (Map.Entry<String, JsonNode> e : p.properties()) {
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
                data.addValue(gflopPerSecond(r), "GFLOP/s", r.label());
            }
        }
        JFreeChart chart = ChartFactory.createBarChart("surf benchmarks", "", "GFLOP/s (GB/s for CpuOpsBench)", data,
                PlotOrientation.HORIZONTAL, false, false, false);
        save(chart, png, 1000, 120 + 28 * data.getColumnCount());
    }

    /** GFLOP/s against the numeric size parameter, for benchmarks that ran at two sizes or more. */
    private static void scaling(List<Result> results, Path png) throws IOException {
        Map<String, XYSeries> lines = new TreeMap<>();
        for (Result r : results) {
            String size = r.params().get("size");
            if (size == null || !size.matches("\\d+") || Double.isNaN(r.gflop())) {
                continue;
            }
            Map<String, String> others = new TreeMap<>(r.params());
            others.remove("size");
            String name = r.benchmark().substring(r.benchmark().lastIndexOf('.', r.benchmark().lastIndexOf('.') - 1) + 1)
                    + (others.isEmpty() ? "" : " " + others);
            lines.computeIfAbsent(name, XYSeries::new).add(Integer.parseInt(size), gflopPerSecond(r));
        }
        XYSeriesCollection data = new XYSeriesCollection();
        lines.values().stream().filter(s -> s.getItemCount() >= 2).forEach(data::addSeries);
        if (data.getSeriesCount() == 0) {
            return;
        }
        JFreeChart chart = ChartFactory.createXYLineChart("GFLOP/s against problem size", "size (n for n x n x n)",
                "GFLOP/s", data, PlotOrientation.VERTICAL, true, false, false);
        save(chart, png, 900, 540);
    }

    /**
     * The gflop counter as GFLOP/s. Throughput runs report it as ops/s already; average-time runs report
     * time per GFLOP (e.g. "ms/op"), which is inverted here.
     */
    static double gflopPerSecond(Result r) {
        String u = r.unit();
        if (u.equals("ops/s")) {
            return r.gflop();
        }
        double perUnit = switch (u) {
            case "s/op" -> 1;
            case "ms/op" -> 1e-3;
            case "us/op" -> 1e-6;
            case "ns/op" -> 1e-9;
            default -> Double.NaN;
        };
        return 1.0 / (r.gflop() * perUnit);
    }

    private static void speedup(List<Result> surf, Path png) throws IOException {
        Map<Integer, Double> time = new TreeMap<>();
        Map<Integer, Double> work = new TreeMap<>();
        int steps = Integer.parseInt(surf.get(0).params().getOrDefault("steps", "0"));
        for (Result r : surf) {
            // throughput (ops/s) inverts to seconds per run; average time is already a time
            double seconds = r.unit().equals("ops/s") ? 1.0 / r.score() : r.score();
            int k = Integer.parseInt(r.params().get("k"));
            time.put(k, seconds);
            if (!Double.isNaN(r.gflop())) {
                work.put(k, gflopPerSecond(r) * seconds); // GFLOP per run, from the engine's FLOP model
            }
        }
        Double base = time.get(steps);
        if (base == null) {
            System.err.println("no baseline (k = steps = " + steps + ") among the SurfPipelineBench results: speedup chart skipped");
            return;
        }
        XYSeries measured = new XYSeries("measured speedup (baseline time / SURF time)");
        XYSeries predicted = new XYSeries("FLOP model (baseline FLOPs / SURF FLOPs)");
        for (var e : time.entrySet()) {
            measured.add((double) e.getKey(), base / e.getValue());
            if (work.containsKey(steps) && work.containsKey(e.getKey())) {
                predicted.add((double) e.getKey(), work.get(steps) / work.get(e.getKey()));
            }
        }
        XYSeriesCollection data = new XYSeriesCollection(measured);
        if (predicted.getItemCount() > 0) {
            data.addSeries(predicted);
        }
        JFreeChart chart = ChartFactory.createXYLineChart("SURF speedup vs k (" + steps + " steps)", "k (steps at the base size)",
                "speedup", data, PlotOrientation.VERTICAL, true, false, false);
        chart.getXYPlot().getRenderer().setSeriesPaint(0, new Color(0x1f77b4));
        chart.getXYPlot().getRenderer().setSeriesPaint(1, new Color(0xd62728));
        save(chart, png, 900, 540);
    }

    private static void save(JFreeChart chart, Path png, int w, int h) throws IOException {
        chart.setBackgroundPaint(Color.WHITE);
        chart.getPlot().setBackgroundPaint(Color.WHITE);
        Path tmp = png.resolveSibling(png.getFileName() + ".part");
        ChartUtils.saveChartAsPNG(tmp.toFile(), chart, w, h);
        Files.move(tmp, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
