package dev.surf.models.t5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.testing.Fixtures;
import dev.surf.core.testing.Numerics;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * conformance/t5-tiny (the official T5Encoder on random weights, F32 on the CPU): the full output
 * including padding rows, and the trimmed context, within 1e-4 relative error; batching and
 * trimming the padding do not change the real rows.
 */
class T5ConformanceTest {
    private static final double TOL = 1e-4;
    private static CpuBackend be;
    private static T5Encoder encoder;

    @BeforeAll
    static void load() throws Exception {
        be = new CpuBackend(2);
        encoder = T5Checkpoint.load(Fixtures.path("t5-tiny.safetensors"), null, be);
    }

    @AfterAll
    static void close() {
        encoder.close();
        be.close();
    }

    @Test
    void configInferredFromShapesEqualsTheFixtureJson() throws Exception {
        assertEquals(UmT5Config.fromJson(Fixtures.path("t5-tiny.json")), encoder.config());
        assertEquals(new UmT5Config(300, 64, 64, 160, 4, 2, 32, false), encoder.config());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "b"})
    void outputAndContextMatchTheOfficialEncoder(String c) throws Exception {
        T5Fixture f = T5Fixture.read(c);
        float[] out;
        try (Tensor t = encoder.forward(f.ids(), 1, new int[] {f.real()})) {
            assertEquals(Shape.of(1, f.length(), 64), t.shape());
            out = be.toFloats(t);
        }
        double errOut = Numerics.relError(out, f.out());
        float[] ctx = Arrays.copyOf(out, f.real() * 64);
        double errCtx = Numerics.relError(ctx, f.context());
        System.out.printf("t5-tiny case %s (%d of %d tokens real): out rel. error %.2e, context %.2e%n",
                c, f.real(), f.length(), errOut, errCtx);
        assertEquals(f.context().length, ctx.length, "context rows = real tokens incl. EOS");
        assertTrue(errOut < TOL, "out: " + errOut);
        assertTrue(errCtx < TOL, "context: " + errCtx);
    }

    @Test
    void aBatchAndTrimmedPaddingGiveTheSameRealRows() throws Exception {
        T5Fixture a = T5Fixture.read("a");
        T5Fixture b = T5Fixture.read("b");
        int l = Math.max(a.length(), b.length());
        int[] ids = new int[2 * l];
        System.arraycopy(a.ids(), 0, ids, 0, a.length());
        System.arraycopy(b.ids(), 0, ids, l, b.length());
        float[] batched;
        try (Tensor t = encoder.forward(ids, 2, new int[] {a.real(), b.real()})) {
            batched = be.toFloats(t);
        }
        float[] ra = Arrays.copyOfRange(batched, 0, a.real() * 64);
        float[] rb = Arrays.copyOfRange(batched, l * 64, (l + b.real()) * 64);
        assertTrue(Numerics.relError(ra, a.context()) < TOL, "batched case a");
        assertTrue(Numerics.relError(rb, b.context()) < TOL, "batched case b");
        // only the real tokens: what the pipeline encodes
        try (Tensor t = encoder.forward(Arrays.copyOf(a.ids(), a.real()), 1, new int[] {a.real()})) {
            float[] trimmed = be.toFloats(t);
            assertTrue(Numerics.relError(trimmed, a.context()) < TOL, "trimmed case a");
            try (Tensor again = encoder.forward(Arrays.copyOf(a.ids(), a.real()), 1, new int[] {a.real()})) {
                assertArrayEquals(trimmed, be.toFloats(again), "deterministic");
            }
        }
    }
}
