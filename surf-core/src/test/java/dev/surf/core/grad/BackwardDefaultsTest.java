package dev.surf.core.grad;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.testing.CountingBackend;
import org.junit.jupiter.api.Test;

/** A backend without the gradient ops (here a wrapper that does not delegate them) refuses, naming the op and itself. */
class BackwardDefaultsTest {
    @Test
    void aBackendWithoutGradientOpsSaysWhichOpIsMissing() {
        try (CpuBackend cpu = new CpuBackend(1); CountingBackend be = new CountingBackend(cpu);
             Tensor x = be.zeros(dev.surf.core.DType.F32, Shape.of(2, 3)); Tensor w = be.zeros(dev.surf.core.DType.F32, Shape.of(4, 3))) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> be.linearGradWeight(x, w));
            assertTrue(e.getMessage().startsWith("linearGradWeight is not implemented on the " + be.name() + " backend"),
                    e.getMessage());
        }
    }
}
