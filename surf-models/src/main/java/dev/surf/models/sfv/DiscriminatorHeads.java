package dev.surf.models.sfv;

import dev.surf.core.Activation;
import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.grad.Tape;
import dev.surf.core.grad.Variable;
import dev.surf.core.optim.Parameter;
import dev.surf.core.optim.ParameterSet;
import dev.surf.models.wan.WanTrainForward;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The trainable part of the SF-V discriminator: two small heads on each chosen block's hidden states
 * of the frozen DiT, as in SF-V (which puts spatial and temporal heads on a frozen UNet encoder).
 *
 * <p>Both heads start from the block output [1, L, dim] (tokens frame-major over the patch grid
 * fp x hp x wp), normalised by a LayerNorm without affine parameters (the DiT's hidden states grow
 * with depth; the heads should not have to learn each block's scale), laid out channels-first as
 * [dim, fp, hp, wp]. Then:
 * <ul>
 *   <li>spatial head, per frame over the token grid: conv (1 x 3 x 3, padding 1) dim to hidden, SiLU,
 *       conv 1 x 1 x 1 hidden to 1: a logit per token, [1, fp, hp, wp];</li>
 *   <li>temporal head, per token along time: causal conv (3 x 1 x 1, two frames of front padding) dim
 *       to hidden, SiLU, conv 1 x 1 x 1 hidden to 1.</li>
 * </ul>
 * Parameters are named {@code heads.B.spatial.0.weight}, {@code heads.B.spatial.2.bias},
 * {@code heads.B.temporal.0.weight}, ... for block B, drawn from Philox normals with std
 * 1/sqrt(fan_in) (biases zero) from the given seed, so a head set is a function of (config, seed).
 */
public final class DiscriminatorHeads implements AutoCloseable {
    /**
     * Which block outputs carry heads and how wide their hidden layer is.
     *
     * @param blocks block indices of the frozen DiT (ascending, distinct)
     * @param hidden hidden channels of every head
     */
    public record Config(int[] blocks, int hidden) {
        public Config {
            blocks = blocks.clone();
            if (blocks.length == 0) {
                throw new IllegalArgumentException("SF-V discriminator: give at least one feature block");
            }
            for (int i = 0; i < blocks.length; i++) {
                if (blocks[i] < 0 || (i > 0 && blocks[i] <= blocks[i - 1])) {
                    throw new IllegalArgumentException("SF-V discriminator: feature blocks must be ascending and >= 0, got "
                            + Arrays.toString(blocks));
                }
            }
            if (hidden < 1) {
                throw new IllegalArgumentException("SF-V discriminator: head width must be >= 1, got " + hidden);
            }
        }

        /** How many blocks the frozen model must run: the last feature block plus one. */
        public int depth() {
            return blocks[blocks.length - 1] + 1;
        }
    }

    private final Config config;
    private final int dim;
    private final ParameterSet params = new ParameterSet();

    /** Fresh heads for a DiT of width {@code dim}, drawn from {@code seed}. */
    public DiscriminatorHeads(Backend be, Config config, int dim, long seed) {
        this.config = config;
        this.dim = dim;
        long stream = 0;
        for (int b : config.blocks()) {
            for (String kind : new String[] {"spatial", "temporal"}) {
                int kt = kind.equals("spatial") ? 1 : 3;
                int kh = kind.equals("spatial") ? 3 : 1;
                String p = "heads." + b + "." + kind + ".";
                add(be, p + "0.weight", Shape.of(config.hidden(), dim, kt, kh, kh), dim * kt * kh * kh, seed, stream++);
                add(be, p + "0.bias", Shape.of(config.hidden()), 0, seed, stream++);
                add(be, p + "2.weight", Shape.of(1, config.hidden(), 1, 1, 1), config.hidden(), seed, stream++);
                add(be, p + "2.bias", Shape.of(1), 0, seed, stream++);
            }
        }
    }

    private void add(Backend be, String name, Shape shape, int fanIn, long seed, long stream) {
        Tensor t = be.zeros(DType.F32, shape);
        if (fanIn > 0) {
            be.fillNormal(t, seed, stream << 32);
            Tensor scaled = be.combine(new float[] {(float) (1 / Math.sqrt(fanIn))}, t);
            t.close();
            t = scaled;
        }
        params.add(Parameter.trainable(name, t));
    }

    public Config config() {
        return config;
    }

    /** The heads' parameters (F32, trainable), by name. */
    public ParameterSet parameters() {
        return params;
    }

    /**
     * One recorded pass of the heads.
     *
     * @param logits     every head's logits in the order (block, spatial then temporal), each [1, fp, hp, wp]
     * @param parameters the heads' tape variables by name (their gradients after a backward when trained)
     */
    public record Pass(List<Variable> logits, Map<String, Variable> parameters) {
    }

    /**
     * The logits of every head on one pass's features. With {@code train} the head parameters are
     * tape parameters (their gradients are kept), else constants (the generator's step: gradients
     * flow through the heads to the features, none is kept for them).
     */
    public Pass logits(Tape tape, WanTrainForward.Features features, boolean train) {
        if (features.blocks().size() < config.depth()) {
            throw new IllegalArgumentException("the features hold " + features.blocks().size() + " blocks, the heads read block "
                    + (config.depth() - 1));
        }
        int fp = features.fp();
        int hp = features.hp();
        int wp = features.wp();
        int l = fp * hp * wp;
        List<Variable> out = new ArrayList<>();
        Map<String, Variable> vars = new LinkedHashMap<>();
        for (int b : config.blocks()) {
            Variable h = tape.layerNorm(features.blocks().get(b), null, null, 1e-6f);
            Variable grid = tape.view(tape.permute(tape.view(h, l, dim), 1, 0), dim, fp, hp, wp);
            out.add(head(tape, grid, "heads." + b + ".spatial.", 0, 1, train, vars));
            out.add(head(tape, grid, "heads." + b + ".temporal.", 2, 0, train, vars));
        }
        return new Pass(out, vars);
    }

    private Variable head(Tape tape, Variable grid, String prefix, int padFront, int padSpace, boolean train,
                          Map<String, Variable> vars) {
        Variable w0 = param(tape, prefix + "0.weight", train, vars);
        Variable b0 = param(tape, prefix + "0.bias", train, vars);
        Variable hidden = tape.activation(tape.conv3d(grid, w0, b0, padFront, padSpace, padSpace), Activation.SILU);
        return tape.conv3d(hidden, param(tape, prefix + "2.weight", train, vars), param(tape, prefix + "2.bias", train, vars),
                0, 0, 0);
    }

    private Variable param(Tape tape, String name, boolean train, Map<String, Variable> vars) {
        Tensor t = params.get(name).master();
        Variable v = train ? tape.parameter(t) : tape.constant(t);
        vars.put(name, v);
        return v;
    }

    @Override
    public void close() {
        params.close();
    }
}
