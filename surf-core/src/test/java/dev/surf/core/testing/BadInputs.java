package dev.surf.core.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Activation;
import dev.surf.core.AttentionSpec;
import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.OpChecks;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.TensorScope;
import dev.surf.core.TimeWindow;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One table of bad arguments for every {@link Backend} op, each with the start of the message
 * {@link OpChecks} gives: the CPU backend's OpChecksTest runs it, the CUDA backend's gpu-tagged
 * OpChecksCudaTest runs the very same table, and both assert that every case is refused by OpChecks
 * itself (the top frame of the exception), so the two backends cannot drift apart in what they accept
 * or in how they say no.
 */
public final class BadInputs {
    /** A call that must be refused, the op it exercises, and how its message starts. */
    public record Case(String op, String message, Consumer<On> call) {
        @Override
        public String toString() {
            return op + ": " + message;
        }
    }

    /** Tensors of the backend under test, closed after the case. */
    public record On(Backend be, TensorScope scope) {
        public Tensor t(DType dt, int... dims) {
            return scope.track(be.zeros(dt, Shape.of(dims)));
        }

        public Tensor f(int... dims) {
            return t(DType.F32, dims);
        }
    }

    private BadInputs() {
    }

    /** Runs {@code c} on {@code be} and checks that OpChecks refused it with the expected message. */
    public static void assertRefused(Backend be, Case c) {
        try (TensorScope scope = new TensorScope()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.call().accept(new On(be, scope)),
                    c + " on " + be.name());
            assertTrue(e.getMessage().startsWith(c.message()), c + " on " + be.name() + "\n  message: " + e.getMessage());
            assertEquals(OpChecks.class.getName(), e.getStackTrace()[0].getClassName(),
                    c + " on " + be.name() + ": refused outside OpChecks, at " + e.getStackTrace()[0]);
        }
    }

    private static final List<Case> CASES = new ArrayList<>();

    private static void bad(String op, String message, Consumer<On> call) {
        CASES.add(new Case(op, message, call));
    }

    /** Every case (at least one per check of OpChecks). */
    public static List<Case> cases() {
        return List.copyOf(CASES);
    }

    static {
        // memory and copies
        bad("fromFloats", "fromFloats: 5 floats for shape [2, 3]", o -> o.be().fromFloats(new float[5], Shape.of(2, 3)));
        bad("fromBytes", "fromBytes: 10 bytes given for BF16[2, 3] which needs 12",
                o -> o.be().fromBytes(DType.BF16, Shape.of(2, 3), MemorySegment.ofArray(new byte[10])));
        bad("loadWeight", "loadWeight: 8 bytes given for F32[3] which needs 12",
                o -> o.be().loadWeight(DType.F32, Shape.of(3), MemorySegment.ofArray(new byte[8]), DType.BF16));
        bad("copyToHost", "copyToHost: destination has 4 bytes, tensor", o -> o.be().copyToHost(o.f(2), MemorySegment.ofArray(new byte[4])));
        bad("convert", "convert: no target dtype", o -> o.be().convert(o.f(2), null));
        bad("copy", "copy: ", o -> o.be().copy(o.f(4), o.t(DType.BF16, 4)));
        bad("copy", "copy: ", o -> o.be().copy(o.f(4), o.f(5)));
        bad("permute", "permute: [0, 0] is not a permutation of 2 axes", o -> o.be().permute(o.f(2, 3), 0, 0));
        bad("permute", "permute: [1, 0] is not a permutation of the 3 axes of [1, 2, 3]", o -> o.be().permute(o.f(1, 2, 3), 1, 0));
        bad("concat", "concat needs at least one tensor", o -> o.be().concat(0));
        bad("concat", "concat: axis 2 out of range for rank 2", o -> o.be().concat(2, o.f(2, 3)));
        bad("concat", "concat along 0: [1, 4] vs [1, 3]", o -> o.be().concat(0, o.f(1, 3), o.f(1, 4)));
        bad("concat", "concat: BF16[1, 3]", o -> o.be().concat(0, o.f(1, 3), o.t(DType.BF16, 1, 3)));
        bad("narrow", "narrow: axis 2 out of range for [2, 3]", o -> o.be().narrow(o.f(2, 3), 2, 0, 1));
        bad("narrow", "narrow: [2, 4) is outside axis 1 of [2, 3]", o -> o.be().narrow(o.f(2, 3), -1, 2, 2));
        bad("narrow", "narrow: [1, 2147483648) is outside axis 0", o -> o.be().narrow(o.f(2, 3), 0, 1, Integer.MAX_VALUE));
        bad("narrow", "narrow: [-1, 0) is outside axis 0", o -> o.be().narrow(o.f(2, 3), 0, -1, 1));
        bad("embedding", "embedding: table must be [vocab, dim], got [6]", o -> o.be().embedding(o.f(6), new int[] {0}));
        bad("embedding", "embedding: at least one id is needed", o -> o.be().embedding(o.f(3, 2), new int[0]));
        bad("embedding", "embedding: id 3 at position 1 is outside the vocabulary [0, 3)",
                o -> o.be().embedding(o.f(3, 2), new int[] {0, 3}));
        bad("fillNormal", "fillNormal needs a floating tensor", o -> o.be().fillNormal(o.t(DType.I32, 4), 1, 0));
        // linear algebra
        bad("linear", "linear: weight [4, 5] does not match input [2, 3] (expected [out, 3])",
                o -> o.be().linear(o.f(2, 3), o.f(4, 5), null, Activation.NONE));
        bad("linear", "linear: weight [12] does not match input [2, 3]", o -> o.be().linear(o.f(2, 3), o.f(12), null, Activation.NONE));
        bad("linear", "linear: bias [5] does not match weight [4, 3]", o -> o.be().linear(o.f(2, 3), o.f(4, 3), o.f(5), Activation.NONE));
        bad("linear", "linear needs floating operands", o -> o.be().linear(o.f(2, 3), o.t(DType.I32, 4, 3), null, Activation.NONE));
        bad("linearResidual", "linearResidual: weight [4, 5] does not match input [2, 3]",
                o -> o.be().linearResidual(o.f(2, 4), o.f(2, 3), o.f(4, 5), null, null));
        bad("linearResidual", "linearResidual: residual ", o -> o.be().linearResidual(o.t(DType.BF16, 2, 4), o.f(2, 3), o.f(4, 3), null, null));
        bad("linearResidual", "linearResidual: residual ", o -> o.be().linearResidual(o.f(2, 5), o.f(2, 3), o.f(4, 3), null, null));
        bad("linearResidual", "linearResidual: gate ", o -> o.be().linearResidual(o.f(2, 2, 4), o.f(2, 2, 3), o.f(4, 3), null, o.f(1, 4)));
        // normalisation and position
        bad("layerNorm", "layerNorm weight has shape [5], expected 4 elements",
                o -> o.be().layerNorm(o.f(2, 4), o.f(5), null, 1e-6f, DType.F32));
        bad("layerNorm", "layerNorm bias must be floating", o -> o.be().layerNorm(o.f(2, 4), null, o.t(DType.I32, 4), 1e-6f, DType.F32));
        bad("layerNorm", "layerNorm needs floating input and output", o -> o.be().layerNorm(o.f(2, 4), null, null, 1e-6f, DType.I32));
        bad("layerNorm", "layerNorm needs floating input and output", o -> o.be().layerNorm(o.t(DType.I64, 2, 4), null, null, 1e-6f, DType.F32));
        bad("layerNormModulate", "layerNormModulate: shift [1, 4] and scale [2, 4] must hold 2 x 4 values for x [2, 3, 4]",
                o -> o.be().layerNormModulate(o.f(2, 3, 4), o.f(1, 4), o.f(2, 4), 1e-6f, DType.F32));
        bad("layerNormModulate", "layerNormModulate needs floating shift and scale",
                o -> o.be().layerNormModulate(o.f(3, 4), o.t(DType.I32, 1, 4), o.f(1, 4), 1e-6f, DType.F32));
        bad("rmsNorm", "rmsNorm weight has shape [3], expected 4 elements", o -> o.be().rmsNorm(o.f(2, 4), o.f(3), 1e-6f));
        bad("rmsNorm", "rmsNorm needs floating input and output", o -> o.be().rmsNorm(o.t(DType.I32, 2, 4), null, 1e-6f));
        bad("channelRmsNorm", "channelRmsNorm: input must be [C, ...], got a scalar", o -> o.be().channelRmsNorm(o.f(), o.f(1)));
        bad("channelRmsNorm", "channelRmsNorm: gamma [3] must hold 4 values for input [4, 2, 2]",
                o -> o.be().channelRmsNorm(o.f(4, 2, 2), o.f(3)));
        bad("channelRmsNorm", "channelRmsNorm needs floating tensors", o -> o.be().channelRmsNorm(o.t(DType.I32, 4, 2), o.f(4)));
        bad("rope", "rope: x must be [B, L, H, d], got [3, 2, 4]", o -> o.be().rope(o.f(3, 2, 4), o.f(3, 2), o.f(3, 2)));
        bad("rope", "rope: cos [3, 2] and sin [3, 2] must be [3, 1] for x [1, 3, 2, 3]",
                o -> o.be().rope(o.f(1, 3, 2, 3), o.f(3, 2), o.f(3, 2)));
        bad("rope", "rope: cos [3, 1] and sin [3, 2] must be [3, 2] for x [1, 3, 2, 4]",
                o -> o.be().rope(o.f(1, 3, 2, 4), o.f(3, 1), o.f(3, 2)));
        bad("rope", "rope needs floating tensors", o -> o.be().rope(o.f(1, 3, 2, 4), o.t(DType.I32, 3, 2), o.f(3, 2)));
        // attention
        AttentionSpec std = AttentionSpec.standard(8);
        bad("attention", "attention: q, k, v must be [B, L, H, d], got [4, 2, 8]",
                o -> o.be().attention(o.f(4, 2, 8), o.f(1, 4, 2, 8), o.f(1, 4, 2, 8), std));
        bad("attention", "attention: shapes do not agree: q [1, 4, 2, 8], k [1, 4, 2, 4], v [1, 4, 2, 8]",
                o -> o.be().attention(o.f(1, 4, 2, 8), o.f(1, 4, 2, 4), o.f(1, 4, 2, 8), std));
        bad("attention", "attention: shapes do not agree", o -> o.be().attention(o.f(1, 4, 2, 8), o.f(1, 5, 2, 8), o.f(1, 4, 2, 8), std));
        bad("attention", "attention: shapes do not agree", o -> o.be().attention(o.f(2, 4, 2, 8), o.f(1, 4, 2, 8), o.f(1, 4, 2, 8), std));
        bad("attention", "attention needs floating q, k, v",
                o -> o.be().attention(o.f(1, 4, 2, 8), o.t(DType.I32, 1, 4, 2, 8), o.f(1, 4, 2, 8), std));
        bad("attention", "attention: 3 key lengths for batch 2",
                o -> o.be().attention(o.f(2, 4, 2, 8), o.f(2, 4, 2, 8), o.f(2, 4, 2, 8), std.withKeyLengths(new int[] {4, 4, 4})));
        bad("attention", "attention: 1 key lengths for batch 2",
                o -> o.be().attention(o.f(2, 4, 2, 8), o.f(2, 4, 2, 8), o.f(2, 4, 2, 8), std.withKeyLengths(new int[] {4})));
        bad("attention", "attention: bias ", o -> o.be().attention(o.f(1, 4, 2, 8), o.f(1, 5, 2, 8), o.f(1, 5, 2, 8),
                std.withBias(o.f(2, 5, 4))));
        bad("attention", "attention: bias ", o -> o.be().attention(o.f(1, 4, 2, 8), o.f(1, 5, 2, 8), o.f(1, 5, 2, 8),
                std.withBias(o.t(DType.BF16, 2, 4, 5))));
        bad("attention", "attention: bias ", o -> o.be().attention(o.f(1, 4, 2, 8), o.f(1, 5, 2, 8), o.f(1, 5, 2, 8),
                std.withBias(o.f(1, 2, 4, 5))));
        bad("attention", "attention: time window of 6 tokens needs Lq == Lk == 6, got 4 and 4",
                o -> o.be().attention(o.f(1, 4, 2, 8), o.f(1, 4, 2, 8), o.f(1, 4, 2, 8), std.withWindow(new TimeWindow(2, 3, 1, 0))));
        // elementwise
        bad("add", "add: shape [3] is not a suffix of [3, 2]", o -> o.be().add(o.f(3, 2), o.f(3)));
        bad("addInPlace", "add: shape [2, 3, 2] is not a suffix of [3, 2]", o -> o.be().addInPlace(o.f(3, 2), o.f(2, 3, 2)));
        bad("mul", "mul: shape [4] is not a suffix of [3, 2]", o -> o.be().mul(o.f(3, 2), o.f(4)));
        bad("activation", "activation: no activation given", o -> o.be().activation(o.f(3), null));
        bad("combine", "combine needs at least one tensor", o -> o.be().combine(new float[0]));
        bad("combine", "combine: 1 coefficients for 2 tensors", o -> o.be().combine(new float[] {1}, o.f(3), o.f(3)));
        bad("combine", "combine: [4] differs from [3]", o -> o.be().combine(new float[] {1, 1}, o.f(3), o.f(4)));
        bad("combine", "combine needs floating tensors", o -> o.be().combine(new float[] {1, 1}, o.f(3), o.t(DType.I32, 3)));
        bad("combineInto", "combine writes F32", o -> o.be().combineInto(o.t(DType.BF16, 3), new float[] {1}, o.f(3)));
        bad("combineInto", "combine: [3] differs from [4]", o -> o.be().combineInto(o.f(4), new float[] {1}, o.f(3)));
        bad("combineInto", "combine: 0 coefficients for 0 tensors", o -> o.be().combineInto(o.f(4), new float[0]));
        bad("clamp", "clamp: min 2.0 must not exceed max 1.0", o -> o.be().clamp(o.f(3), 2f, 1f));
        bad("clamp", "clamp: min NaN must not exceed max 1.0", o -> o.be().clamp(o.f(3), Float.NaN, 1f));
        bad("clamp", "clamp needs a floating tensor", o -> o.be().clamp(o.t(DType.I32, 3), 0f, 1f));
        // resampling and convolution
        bad("resize", "resize: cannot resize [4] to 2x2", o -> o.be().resize(o.f(4), 2, 2, dev.surf.core.ResizeMode.BILINEAR));
        bad("resize", "resize: cannot resize [2, 4, 4] to 0x2", o -> o.be().resize(o.f(2, 4, 4), 0, 2, dev.surf.core.ResizeMode.AREA));
        bad("resize", "resize: no mode given", o -> o.be().resize(o.f(2, 4, 4), 2, 2, null));
        bad("resize", "resize needs a floating tensor", o -> o.be().resize(o.t(DType.I32, 4, 4), 2, 2,
                dev.surf.core.ResizeMode.NEAREST_EXACT));
        bad("resize", "resize: cannot resize the empty planes of [2, 0, 4]", o -> o.be().resize(o.f(2, 0, 4), 2, 2,
                dev.surf.core.ResizeMode.BILINEAR));
        bad("conv3d", "conv3d: input [2, 3, 4] must be [Cin, T, H, W]", o -> o.be().conv3d(o.f(2, 3, 4), o.f(1, 2, 1, 1, 1), null, 0, 0, 0));
        bad("conv3d", "conv3d: weight [1, 3, 1, 1, 1] expects 3 input channels, input [2, 1, 4, 4] has 2",
                o -> o.be().conv3d(o.f(2, 1, 4, 4), o.f(1, 3, 1, 1, 1), null, 0, 0, 0));
        bad("conv3d", "conv3d: bias [2] does not match weight [1, 2, 1, 1, 1]",
                o -> o.be().conv3d(o.f(2, 1, 4, 4), o.f(1, 2, 1, 1, 1), o.f(2), 0, 0, 0));
        bad("conv3d", "conv3d: negative padding (0, -1, 0)", o -> o.be().conv3d(o.f(2, 1, 4, 4), o.f(1, 2, 1, 1, 1), null, 0, -1, 0));
        bad("conv3d", "conv3d needs floating tensors, got input I32, weight F32",
                o -> o.be().conv3d(o.t(DType.I32, 2, 1, 4, 4), o.f(1, 2, 1, 1, 1), null, 0, 0, 0));
        bad("conv3d", "conv3d: kernel [1, 2, 3, 3, 3] with padding (front 0, 1, 1) leaves no output for input [2, 1, 4, 4]",
                o -> o.be().conv3d(o.f(2, 1, 4, 4), o.f(1, 2, 3, 3, 3), null, 0, 1, 1));
        bad("conv3d", "conv3d: padding (front 0, 1073741824, 0) makes an output dimension",
                o -> o.be().conv3d(o.f(2, 1, 4, 4), o.f(1, 2, 1, 1, 1), null, 0, 1 << 30, 0));
    }
}
