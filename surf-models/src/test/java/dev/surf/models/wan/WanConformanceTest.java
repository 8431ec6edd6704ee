package dev.surf.models.wan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.safetensors.SafetensorsFile;
import dev.surf.core.testing.Fixtures;
import dev.surf.core.testing.Numerics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every tensor of shared/conformance/wan-dit-tiny-cases (the official WanModel on random weights, F32
 * on the CPU): the output and all recorded intermediates within 1e-4 relative error, checked in
 * forward order so the first failing one names the bug.
 */
class WanConformanceTest {
    private static final double TOL = 1e-4;
    private static CpuBackend be;
    private static WanModel model;
    private static SafetensorsFile cases;

    @BeforeAll
    static void load() throws Exception {
        be = new CpuBackend(2);
        model = WanCheckpoint.load(Fixtures.path("wan-dit-tiny.safetensors"), Fixtures.path("wan-dit-tiny.json"), be);
        cases = SafetensorsFile.open(Fixtures.path("wan-dit-tiny-cases.safetensors"));
    }

    @AfterAll
    static void close() {
        model.close();
        cases.close();
        be.close();
    }

    static Tensor fixture(SafetensorsFile f, String name) throws Exception {
        return f.read(be, name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "b"})
    void everyIntermediateMatchesTheOfficialModel(String c) throws Exception {
        WanFixtureCheck.check(be, model, cases, c, TOL, "cpu");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "b"})
    void batchOfTwoEqualsTwoSingleForwards(String c) throws Exception {
        try (Tensor x = fixture(cases, c + ".x"); Tensor ctx = fixture(cases, c + ".context");
             Tensor other = fixture(cases, (c.equals("a") ? "a" : "b") + ".context")) {
            Shape s = x.shape();
            float[] xv = be.toFloats(x);
            float[] x2 = new float[2 * xv.length];
            for (int i = 0; i < xv.length; i++) {
                x2[i] = xv[i];
                x2[xv.length + i] = -0.5f * xv[i];
            }
            try (Tensor xb = be.fromFloats(x2, Shape.of(2, s.dim(0), s.dim(1), s.dim(2), s.dim(3)));
                 Tensor xSecond = be.fromFloats(java.util.Arrays.copyOfRange(x2, xv.length, x2.length), s);
                 TextContext pair = model.prepareText(List.of(ctx, other));
                 TextContext one = model.prepareText(List.of(ctx));
                 TextContext two = model.prepareText(List.of(other));
                 Tensor both = model.forward(xb, new float[] {500f, 20f}, pair);
                 Tensor first = model.forward(x, new float[] {500f}, one);
                 Tensor second = model.forward(xSecond, new float[] {20f}, two)) {
                float[] b = be.toFloats(both);
                float[] f1 = be.toFloats(first);
                float[] f2 = be.toFloats(second);
                Numerics.assertClose("batch item 0", java.util.Arrays.copyOfRange(b, 0, f1.length), f1, 1e-6);
                Numerics.assertClose("batch item 1", java.util.Arrays.copyOfRange(b, f1.length, b.length), f2, 1e-6);
            }
        }
    }
}
