package dev.surf.cuda;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Backend;
import dev.surf.core.Backends;
import dev.surf.core.cpu.CpuBackend;
import org.junit.jupiter.api.Test;

/** Runs everywhere: the provider must explain itself, never throw, on any machine (the options: CudaSettingsTest). */
class CudaProviderTest {

    @Test
    void registeredThroughServiceLoader() {
        assertTrue(Backends.providers().stream().anyMatch(p -> p instanceof CudaBackendProvider),
                "META-INF/services must register CudaBackendProvider");
        assertEquals("cuda", new CudaBackendProvider().name());
    }

    @Test
    void unavailableReasonNeverThrowsAndOpenReportsIt() {
        CudaBackendProvider p = new CudaBackendProvider();
        String why = assertDoesNotThrow(p::unavailableReason);
        assertEquals(why, p.unavailableReason(), "the probe result is stable");
        if (why == null) {
            try (Backend be = Backends.open("cuda")) {
                assertTrue(be.name().startsWith("cuda:0 "), be.name());
            }
            return;
        }
        assertTrue(!why.isBlank());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.open("cuda"));
        assertTrue(e.getMessage().contains(why), e.getMessage());
        IllegalArgumentException e1 = assertThrows(IllegalArgumentException.class, () -> Backends.open("cuda:1"));
        assertTrue(e1.getMessage().contains(why), e1.getMessage());
        try (Backend auto = Backends.open("auto")) {
            assertInstanceOf(CpuBackend.class, auto, "auto falls back to the CPU when CUDA is unavailable");
        }
    }

    @Test
    void reasonNamesTheMissingDriver() {
        // On a machine without libcuda.so.1 the reason must say so (and JCuda must not have crashed us).
        boolean driver = java.nio.file.Files.exists(java.nio.file.Path.of("/usr/lib/x86_64-linux-gnu/libcuda.so.1"))
                || java.nio.file.Files.exists(java.nio.file.Path.of("/usr/lib64/libcuda.so.1"))
                || java.nio.file.Files.exists(java.nio.file.Path.of("/usr/lib/wsl/lib/libcuda.so.1"));
        String why = new CudaBackendProvider().unavailableReason();
        if (!driver && System.getenv("LD_LIBRARY_PATH") == null && why != null) {
            assertEquals(CudaProbe.NO_DRIVER, why);
        }
    }
}
