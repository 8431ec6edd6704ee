package dev.surf.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchChartsTest {
    private static final String JSON = """
            [ {"benchmark": "dev.surf.bench.CpuGemmBench.linearF32", "mode": "thrpt", "params": {"threads": "0"},
               "primaryMetric": {"score": 35.6, "scoreUnit": "ops/s"},
               "secondaryMetrics": {"gflop": {"score": 76.5, "scoreUnit": "ops/s"}}},
              {"benchmark": "dev.surf.bench.DitBench.forward", "mode": "avgt", "params": {},
               "primaryMetric": {"score": 686.0, "scoreUnit": "ms/op"},
               "secondaryMetrics": {"gflop": {"score": 40.0, "scoreUnit": "ms/op"}}},
              {"benchmark": "dev.surf.bench.SurfPipelineBench.generate", "mode": "thrpt", "params": {"k": "5", "steps": "20"},
               "primaryMetric": {"score": 2.0, "scoreUnit": "ops/s"}, "secondaryMetrics": {}},
              {"benchmark": "dev.surf.bench.SurfPipelineBench.generate", "mode": "thrpt", "params": {"k": "20", "steps": "20"},
               "primaryMetric": {"score": 0.5, "scoreUnit": "ops/s"}, "secondaryMetrics": {}} ]
            """;

    @Test
    void readsJmhJsonAndConvertsToGflopPerSecond(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("r.json");
        Files.writeString(json, JSON);
        List<BenchCharts.Result> r = BenchCharts.read(json);
        assertEquals(4, r.size());
        assertEquals(76.5, BenchCharts.gflopPerSecond(r.get(0)), 1e-9, "throughput: already GFLOP/s");
        assertEquals(25.0, BenchCharts.gflopPerSecond(r.get(1)), 1e-9, "40 ms per GFLOP is 25 GFLOP/s");
        assertTrue(Double.isNaN(r.get(2).gflop()));
        assertEquals("CpuGemmBench.linearF32 {threads=0}", r.get(0).label());
        BenchCharts.main(new String[] {json.toString(), dir.resolve("charts").toString()});
        assertTrue(Files.size(dir.resolve("charts/gflops.png")) > 1000);
        assertTrue(Files.size(dir.resolve("charts/surf-speedup.png")) > 1000);
    }
}
