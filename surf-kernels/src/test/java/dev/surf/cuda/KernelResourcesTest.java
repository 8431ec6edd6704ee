package dev.surf.cuda;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.testing.Nvcc;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** When nvcc is on the PATH the build must have produced and packaged every kernel file. */
class KernelResourcesTest {

    @Test
    void everyKernelFileIsOnTheClassPath() {
        Assumptions.assumeTrue(Nvcc.available(), "nvcc is not available: the kernels were not built here");
        assertNull(CudaModules.missingResource(), "a fatbin is missing although nvcc is available");
        for (String m : CudaModules.HOPPER) {
            assertTrue(CudaModules.present(m), m + ".fatbin (sm_90a) is missing");
        }
        for (String m : CudaModules.REQUIRED) {
            assertTrue(CudaModules.class.getResource(CudaModules.RESOURCE_DIR + m + ".fatbin") != null, m);
        }
    }

    @Test
    void everyCudaSourceIsAKnownModule() throws Exception {
        Path cuda = Path.of(System.getProperty("user.dir")).resolveSibling("cuda");
        Assumptions.assumeTrue(Files.isDirectory(cuda), "cuda/ sources not found next to " + System.getProperty("user.dir"));
        try (var files = Files.list(cuda)) {
            files.filter(f -> f.toString().endsWith(".cu")).forEach(f -> {
                String m = f.getFileName().toString().replace(".cu", "");
                assertTrue(CudaModules.REQUIRED.contains(m) || CudaModules.HOPPER.contains(m),
                        m + ".cu is built but CudaModules does not list it");
            });
        }
    }
}
