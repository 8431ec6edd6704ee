package dev.surf.core.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.surf.core.Backend;
import dev.surf.core.testing.BadInputs;
import java.lang.reflect.Method;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The table of bad arguments (BadInputs) through the CPU backend: every case refused by OpChecks with
 * its message. The CUDA backend runs the same table in OpChecksCudaTest.
 */
class OpChecksTest {
    private static final CpuBackend BE = new CpuBackend(2);

    /** Ops without argument checks of their own: no arguments to check, or only a dtype and shape. */
    private static final Set<String> UNCHECKED = Set.of("name", "activationType", "empty", "zeros", "synchronize", "close",
            // the only check is a 2^31-element host array, which no tensor of a test can reach cheaply
            "toFloats");

    @AfterAll
    static void close() {
        BE.close();
    }

    static Stream<BadInputs.Case> cases() {
        return BadInputs.cases().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void refusedByOpChecks(BadInputs.Case c) {
        BadInputs.assertRefused(BE, c);
    }

    @Test
    void everyCheckedOpHasCases() {
        Set<String> ops = new TreeSet<>();
        for (Method m : Backend.class.getMethods()) {
            if (!m.isDefault() && !UNCHECKED.contains(m.getName())) {
                ops.add(m.getName());
            }
        }
        Set<String> covered = new TreeSet<>();
        for (BadInputs.Case c : BadInputs.cases()) {
            covered.add(c.op());
        }
        assertEquals(ops, covered, "the Backend ops with bad-input cases");
    }
}
