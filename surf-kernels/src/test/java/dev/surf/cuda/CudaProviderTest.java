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

/** Runs everywhere: the provider must explain itself, never throw, on any machine. */
class CudaProviderTest {

    @Test
    void registeredThroughServiceLoader() {
        assertTrue(Backends.providers().stream().anyMatch(p -> p instanceof CudaBackendProvider),
                "META-INF/services must register CudaBackendProvider");
        assertEquals("cuda", new CudaBackendProvider().name());
    }

    @Test
    void convPathPropertyNamesEveryPathAndRejectsOthersClearly() {
        assertEquals(CudaBackend.ConvPath.DIRECT, CudaBackend.autoConvPath("direct"));
        assertEquals(CudaBackend.ConvPath.IGEMM, CudaBackend.autoConvPath("IGEMM"));
        assertEquals(CudaBackend.ConvPath.TAPS, CudaBackend.autoConvPath("taps"));
        assertEquals(CudaBackend.ConvPath.TAPS_BF16, CudaBackend.autoConvPath("taps-bf16"));
        assertEquals(CudaBackend.ConvPath.TAPS_BF16X3, CudaBackend.autoConvPath("taps-bf16x3"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CudaBackend.autoConvPath("gemm"));
        assertEquals("-Dsurf.cuda.conv=gemm is not a conv3d path: use direct, igemm, taps, taps-bf16 or taps-bf16x3", e.getMessage());
    }

    @Test
    void gemmPersistentPropertyNamesBothSchedulesAndRejectsOthersClearly() {
        assertEquals(CudaBackend.GemmPath.AUTO, CudaBackend.autoPersistentPath("true"));
        assertEquals(CudaBackend.GemmPath.PERSISTENT, CudaBackend.autoPersistentPath("cooperative"));
        assertEquals(CudaBackend.GemmPath.PINGPONG, CudaBackend.autoPersistentPath("PingPong"));
        assertEquals(null, CudaBackend.autoPersistentPath("false"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CudaBackend.autoPersistentPath("yes"));
        assertTrue(e.getMessage().startsWith("-Dsurf.cuda.gemmPersistent=yes is not a choice"), e.getMessage());
    }

    @Test
    void persistentScheduleFollowsThePropertyElseSplitsAtPingpongMaxK() {
        int at = CudaGemm.PINGPONG_MAX_K;
        assertEquals(CudaBackend.GemmPath.PINGPONG, CudaGemm.persistentSchedule(CudaBackend.GemmPath.AUTO, at));
        assertEquals(CudaBackend.GemmPath.PERSISTENT, CudaGemm.persistentSchedule(CudaBackend.GemmPath.AUTO, at + 8));
        assertEquals(CudaBackend.GemmPath.PERSISTENT, CudaGemm.persistentSchedule(CudaBackend.GemmPath.PERSISTENT, 64));
        assertEquals(CudaBackend.GemmPath.PINGPONG, CudaGemm.persistentSchedule(CudaBackend.GemmPath.PINGPONG, 8960));
    }

    @Test
    void warpNormsPropertyIsTrueOrFalseAndNothingElse() {
        String key = "surf.cuda.test.switch";
        System.clearProperty(key);
        try {
            assertTrue(CudaBackend.switchValue(key, true));
            System.setProperty(key, "FALSE");
            assertEquals(false, CudaBackend.switchValue(key, true));
            System.setProperty(key, "on");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CudaBackend.switchValue(key, true));
            assertEquals("-Dsurf.cuda.test.switch=on is not a choice: use true or false", e.getMessage());
        } finally {
            System.clearProperty(key);
        }
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
