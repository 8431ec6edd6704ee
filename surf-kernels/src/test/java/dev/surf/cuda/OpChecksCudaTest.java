package dev.surf.cuda;

import dev.surf.core.testing.BadInputs;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CPU backend's table of bad arguments (BadInputs, OpChecksTest) through the CUDA backend: every
 * case refused by the same OpChecks call with the same message, before any allocation or launch.
 */
@Tag("gpu")
class OpChecksCudaTest extends CudaTestBase {

    static Stream<BadInputs.Case> cases() {
        return BadInputs.cases().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void refusedByOpChecks(BadInputs.Case c) {
        BadInputs.assertRefused(gpu, c);
    }
}
