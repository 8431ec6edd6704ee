package dev.surf.bench.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.testing.Nvcc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel lab's CUDA sources still build (cuda/lab/build.sh: the persistent GEMM probe and each of
 * its sed-made variants, whose patterns must still match the production kernel) whenever nvcc is on
 * the PATH, as the production kernels do in surf-kernels' build. About 10 s.
 */
class LabBuildTest {

    @Test
    void labSourcesBuild(@TempDir Path out) throws Exception {
        Path script = Path.of(System.getProperty("user.dir")).resolveSibling("cuda").resolve("lab").resolve("build.sh");
        Assumptions.assumeTrue(Files.isRegularFile(script), "cuda/lab not found next to " + System.getProperty("user.dir"));
        Assumptions.assumeTrue(Nvcc.available(), "nvcc is not available: the lab kernels are not built here");
        Path log = out.resolve("build.log");
        Process p = new ProcessBuilder("bash", script.toString(), out.resolve("lab").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "cuda/lab/build.sh did not finish in 300 s");
        assertEquals(0, p.exitValue(), "cuda/lab/build.sh failed:\n" + Files.readString(log));
        for (String v : new String[] {"as_is", "no_drain", "no_store", "no_gstore", "stg_only"}) {
            assertTrue(Files.isExecutable(out.resolve("lab/probe/gemm_probe_" + v)), "probe variant " + v + " missing:\n"
                    + Files.readString(log));
        }
    }
}
