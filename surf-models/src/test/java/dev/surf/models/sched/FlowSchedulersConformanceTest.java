package dev.surf.models.sched;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.testing.Numerics;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Schedules and FlowUniPC trajectories against /work/shared/conformance/flow-schedulers.safetensors
 * (the official scheduler code run in float32 on the CPU; see its README, section flow-schedulers).
 */
class FlowSchedulersConformanceTest {
    // The fixture README allows 1e-5 per tensor for a float32 path. We measure ~3e-7 and hold 1e-6:
    // dropping the corrector's older history term alone already costs 1e-5, so 1e-5 would hide it.
    private static final double TRAJECTORY_TOL = 1e-6;
    // bf16 history terms (the GPU-matching mode) against the float32 fixtures: the README's bf16 bound
    private static final double BF16_TRAJECTORY_TOL = 1e-2;
    private static FixtureReader fixture;
    private static CpuBackend be;

    @BeforeAll
    static void load() throws Exception {
        fixture = FixtureReader.resource("flow-schedulers.safetensors");
        be = new CpuBackend(2);
    }

    @AfterAll
    static void close() {
        be.close();
    }

    @ParameterizedTest
    @CsvSource({"s10, 10, 5.0", "s50, 50, 3.0", "s4, 4, 8.0"})
    void metadataNamesTheRuns(String run, int steps, double shift) {
        String runs = fixture.metadata("runs").replace(" ", "");
        assertTrue(runs.contains("\"" + run + "\":{\"steps\":" + steps + ",\"shift\":" + shift + "}"), runs);
    }

    @ParameterizedTest
    @CsvSource({"s10, 10, 5.0", "s50, 50, 3.0", "s4, 4, 8.0"})
    void schedulesAreBitExact(String run, int steps, double shift) {
        FlowSchedule u = FlowSchedule.unipc(steps, shift);
        float[] t = fixture.floats(run + ".unipc_timesteps");
        assertArrayEquals(t, u.modelTimesteps(), 0f, "unipc timesteps");
        assertArrayEquals(fixture.floats(run + ".unipc_sigmas"), u.solverSigmas(), 0f, "unipc sigmas");

        float[] e = fixture.floats(run + ".euler_sigmas");
        FlowSchedule eu = FlowSchedule.euler(steps, shift);
        assertArrayEquals(e, Arrays.copyOf(eu.solverSigmas(), steps), 0f, "euler sigmas");
    }

    @ParameterizedTest
    @CsvSource({"s10, 10, 5.0, false", "s50, 50, 3.0, false", "s4, 4, 8.0, false",
            "s10, 10, 5.0, true", "s50, 50, 3.0, true", "s4, 4, 8.0, true"})
    void uniPcTrajectoryMatches(String run, int steps, double shift, boolean bf16) {
        float[] traj = fixture.floats(run + ".unipc_trajectory");
        int[] shape = fixture.shape(run + ".x_init");
        Shape latent = Shape.of(shape);
        int size = (int) latent.numel();
        assertEquals(steps * size, traj.length);

        FlowSchedule s = FlowSchedule.unipc(steps, shift);
        double worst = 0;
        try (Solver solver = new FlowUniPcSolver(s, bf16)) {
            Tensor x = be.fromFloats(fixture.floats(run + ".x_init"), latent);
            for (int i = 0; i < steps; i++) {
                float[] v = ToyField.velocity(be.toFloats(x), s.solverSigma(i));
                Tensor next;
                try (Tensor vt = be.fromFloats(v, latent)) {
                    next = solver.step(be, i, x, vt);
                }
                x.close();
                x = next;
                float[] ref = Arrays.copyOfRange(traj, i * size, (i + 1) * size);
                double err = Numerics.relError(be.toFloats(x), ref);
                worst = Math.max(worst, err);
                Numerics.assertClose(run + " step " + i, be.toFloats(x), ref, bf16 ? BF16_TRAJECTORY_TOL : TRAJECTORY_TOL);
            }
            x.close();
        }
        System.out.printf("%s%s: max relative error per row %.3g%n", run, bf16 ? " (bf16 history terms)" : "", worst);
    }
}
