package dev.surf.bench.lab;

import dev.surf.core.Backend;
import dev.surf.core.cpu.CpuBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link TapConvDecodeCases} on the CPU backend. */
class WanVaeTapConvTest extends TapConvDecodeCases {
    private static CpuBackend cpu;

    @BeforeAll
    static void open() {
        cpu = new CpuBackend(2);
    }

    @AfterAll
    static void close() {
        cpu.close();
    }

    @Override
    Backend backend() {
        return cpu;
    }
}
