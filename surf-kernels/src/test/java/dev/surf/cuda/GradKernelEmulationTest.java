package dev.surf.cuda;

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
 * The gradient kernels' source, run on the host by cuda/lab/emulate/host/run.sh (threads and barriers
 * standing in for the GPU, against double references), whenever nvcc (so the CUDA headers) and g++
 * are there: the check of those kernels that needs no device. About 15-25 s (2 cores).
 */
class GradKernelEmulationTest {

    @Test
    void gradientKernelsMatchDoubleReferencesOnTheHost(@TempDir Path out) throws Exception {
        Path script = Path.of(System.getProperty("user.dir")).resolveSibling("cuda").resolve("lab").resolve("emulate")
                .resolve("host").resolve("run.sh");
        Assumptions.assumeTrue(Files.isRegularFile(script), "cuda/lab/emulate/host not found next to " + System.getProperty("user.dir"));
        Assumptions.assumeTrue(Nvcc.available(), "nvcc (and so the CUDA headers) is not available");
        Assumptions.assumeTrue(onPath("g++"), "g++ is not on the PATH");
        Path log = out.resolve("emulation.log");
        Process p = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "cuda/lab/emulate/host/run.sh did not finish in 300 s");
        assertEquals(0, p.exitValue(), "cuda/lab/emulate/host/run.sh failed:\n" + Files.readString(log));
        assertTrue(Files.readString(log).contains("ok   attention_grad dq"), "no attention check ran:\n" + Files.readString(log));
    }

    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                    return true;
                }
            }
        }
        return false;
    }
}
