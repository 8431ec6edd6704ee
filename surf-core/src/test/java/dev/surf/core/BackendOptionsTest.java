package dev.surf.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Backend options reach the provider: the CPU honours the activation type and rejects a memory cap. */
class BackendOptionsTest {

    @Test
    void theCpuProviderRejectsAMemoryLimitNamingTheHeap() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Backends.open("cpu:1", BackendOptions.DEFAULT.withMemoryLimit(1L << 30)));
        assertEquals("memoryLimit: applies to CUDA devices; on cpu the JVM heap (-Xmx) is the limit", e.getMessage());
    }

    @Test
    void activationTypeIsHonouredOrRejected() {
        try (Backend be = Backends.open("cpu:1", BackendOptions.DEFAULT.withActivation(DType.F32))) {
            assertEquals(DType.F32, be.activationType());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Backends.open("cpu:1", BackendOptions.DEFAULT.withActivation(DType.BF16)));
        assertEquals("the cpu backend computes in F32, not BF16", e.getMessage());
        try (Backend be = Backends.open("cpu:1", DType.F32)) {
            assertEquals(DType.F32, be.activationType(), "the dtype overload is the options one");
        }
    }

    @Test
    void aLimitMustBePositive() {
        for (long bad : new long[] {0, -5}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new BackendOptions(null, bad));
            assertEquals("memoryLimit: must be positive, got " + bad + " bytes", e.getMessage());
        }
    }

    @Test
    void aProviderWithoutACapSaysSo() {
        BackendProvider plain = new BackendProvider() {
            @Override
            public String name() {
                return "plain";
            }

            @Override
            public String unavailableReason() {
                return null;
            }

            @Override
            public Backend open(int index) {
                throw new AssertionError("must not open when the options cannot be met");
            }
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> plain.open(-1, BackendOptions.DEFAULT.withMemoryLimit(1024)));
        assertEquals("memoryLimit: the plain backend cannot cap its memory", e.getMessage());
    }
}
