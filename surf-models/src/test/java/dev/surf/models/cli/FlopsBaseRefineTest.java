package dev.surf.models.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code surf flops --refiner base} prices the training-free refine: the base model at the target size, the steps from s0 on. */
class FlopsBaseRefineTest {

    private static List<String> stageRows(CliRun r) {
        return r.out().lines().filter(l -> l.startsWith("  base ") || l.startsWith("  refiner ")).toList();
    }

    @Test
    void theTrainingFreeRefineIsPricedOverTheStepsFromS0() {
        // UniPC grid of 10 steps, shift 5: sigma_i = 5 u / (1 + 4 u), u = 0.999 (1 - i/10). s0 = 0.75 needs u <= 0.375,
        // i.e. i >= 6.25: steps 7, 8, 9 run, 6 forwards under guidance.
        CliRun r = CliRun.of("flops", "--model", "tiny", "--width", "64", "--height", "64", "--frames", "5", "--steps", "10",
                "--surf", "--k", "2", "--refine-to", "128x128", "--refiner", "base", "--refine-start", "0.75");
        assertEquals(0, r.code(), r.err());
        List<String> rows = stageRows(r);
        assertEquals(3, rows.size(), r.out());
        assertTrue(rows.get(2).matches("\\s+base\\s+16x16\\s+3\\s+6\\s.*"), rows.get(2));
        assertTrue(r.out().contains("with the base model from s0 = 0.75 of a 10-step schedule"), r.out());

        // the Refiner: 10 Euler steps without guidance
        CliRun refiner = CliRun.of("flops", "--model", "tiny", "--width", "64", "--height", "64", "--frames", "5", "--steps", "10",
                "--surf", "--k", "2", "--refine-to", "128x128");
        assertEquals(0, refiner.code(), refiner.err());
        assertTrue(stageRows(refiner).get(2).matches("\\s+refiner\\s+16x16\\s+10\\s+10\\s.*"), refiner.out());
    }
}
