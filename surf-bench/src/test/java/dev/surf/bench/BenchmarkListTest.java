package dev.surf.bench;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * JMH's annotation processor really ran: without it on the compiler's processor path JDK 25 builds
 * silently with zero benchmarks, and {@code benchmarks.jar -l} lists nothing.
 */
class BenchmarkListTest {
    @Test
    void everyBenchmarkClassIsInTheGeneratedList() throws Exception {
        InputStream in = BenchmarkListTest.class.getResourceAsStream("/META-INF/BenchmarkList");
        assertNotNull(in, "META-INF/BenchmarkList was not generated: is jmh-generator-annprocess on annotationProcessorPaths?");
        List<String> lines;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            lines = r.lines().toList();
        }
        for (String bench : new String[] {"CpuGemmBench", "CpuAttentionBench", "CpuOpsBench", "DitBench", "SurfPipelineBench", "GpuKernelJmhBench"}) {
            assertTrue(lines.stream().anyMatch(l -> l.contains("dev.surf.bench." + bench)), bench + " missing from " + lines.size() + " entries");
        }
    }
}
