package dev.surf.models.sfv;

import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.Tensor;
import dev.surf.core.grad.Tape;
import dev.surf.core.grad.Variable;
import dev.surf.core.optim.AdamW;
import dev.surf.core.optim.DataOrder;
import dev.surf.core.optim.Ema;
import dev.surf.core.optim.GradClip;
import dev.surf.core.optim.LrSchedule;
import dev.surf.core.optim.Parameter;
import dev.surf.core.optim.ParameterSet;
import dev.surf.core.optim.TrainCheckpoint;
import dev.surf.core.optim.TrainProgress;
import dev.surf.models.train.TimestepDistribution;
import dev.surf.models.train.TrainingData;
import dev.surf.models.wan.WanModel;
import dev.surf.models.wan.WanTrainForward;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * SF-V's adversarial post-training of a Wan DiT into a one-step generator.
 *
 * <p>The generator G starts as a copy of the base model and maps noise to x0 in one step
 * ({@link OneStep}). The discriminator is the frozen base model with trainable heads
 * ({@link SfvDiscriminator}). One {@link #step()} is:
 * <ol>
 *   <li>the generator's step: x0 = G(noise, prompt) for the next pair, scored by the discriminator
 *       (heads frozen for this step) after re-noising to s_g; loss L_G (hinge) plus
 *       {@code regression} times mean((x0 - teacher)^2), the distance to the teacher's multi-step
 *       sample from the same noise (SF-V's reconstruction term in its simplest form: it anchors the
 *       one-step map to the teacher's, which adversarial terms alone do not); AdamW on G, gradient
 *       clipping, EMA of G;</li>
 *   <li>the discriminator's step: the same x0, detached (G's output before its update: one
 *       generator forward serves both steps), against the next real latent, each re-noised to its
 *       own s; hinge loss L_D; AdamW on the heads.</li>
 * </ol>
 *
 * <p>Data. {@code pairs} gives the generator's inputs: an example's {@code source} is the noise,
 * its {@code latent} the teacher's sample from that noise, its context the prompt. {@code real}
 * gives real latents with their prompts. Everything random besides the data is a Philox stream
 * under {@code noiseSeed} addressed by the step u: the three flow times s_g, s_real, s_fake are
 * the config's distribution at 3u, 3u + 1, 3u + 2, and the re-noising draws are
 * {@code fillNormal(noiseSeed, (3u + k + 1) << 32)}; with the data orders seeded, a run is a
 * function of its seeds, and {@link #save}/{@link #resume} continue it exactly.
 */
public final class SfvTrainer implements AutoCloseable {
    /**
     * How to train.
     *
     * @param adamG       AdamW of the generator (lr: constant, or the peak of {@code scheduleG})
     * @param adamD       AdamW of the discriminator's heads
     * @param clipNorm    global gradient norm bound of the generator (0: none)
     * @param emaDecay    EMA decay of the generator in (0, 1), or 0 for none
     * @param regression  weight of the teacher regression term (0: adversarial only)
     * @param shift       timestep shift of the one-step point (the sampler's, default 5.0)
     * @param noiseLevels how the discriminator's re-noising times s are drawn
     * @param dataSeed    seed of the pair and real orders
     * @param noiseSeed   seed of the flow times and re-noising draws
     */
    public record Config(AdamW.Config adamG, AdamW.Config adamD, double clipNorm, double emaDecay, double regression,
                         double shift, TimestepDistribution noiseLevels, long dataSeed, long noiseSeed) {
        public Config {
            if (adamG == null || adamD == null) {
                throw new IllegalArgumentException("SF-V trainer: both AdamW configs are required");
            }
            if (!(clipNorm >= 0) || Double.isInfinite(clipNorm)) {
                throw new IllegalArgumentException("SF-V trainer: clipNorm must be >= 0 and finite (0 = off), got " + clipNorm);
            }
            if (!(emaDecay >= 0 && emaDecay < 1)) {
                throw new IllegalArgumentException("SF-V trainer: emaDecay must be in [0, 1) (0 = no EMA), got " + emaDecay);
            }
            if (!(regression >= 0) || Double.isInfinite(regression)) {
                throw new IllegalArgumentException("SF-V trainer: regression weight must be >= 0 and finite, got " + regression);
            }
            if (noiseLevels == null) {
                noiseLevels = TimestepDistribution.LOGIT_NORMAL;
            }
        }
    }

    /** The losses of one step (before the updates). */
    public record Losses(double generatorAdversarial, double regression, double discriminator) {
    }

    private final WanModel generator;
    private final Backend be;
    private final WanTrainForward genForward;
    private final SfvDiscriminator discriminator;
    private final OneStep oneStep;
    private final Config config;
    private final TrainingData pairs;
    private final TrainingData real;
    private final ParameterSet genParams = new ParameterSet();
    private final AdamW adamG;
    private final AdamW adamD;
    private final Ema ema;
    private DataOrder pairOrder;
    private DataOrder realOrder;
    private long step;

    /**
     * A trainer of {@code generator} (F32 weights it owns, a copy of the base model) against heads on
     * {@code teacher} (the frozen base model; it may not be the same object as the generator).
     */
    public SfvTrainer(WanModel generator, WanModel teacher, DiscriminatorHeads heads, Config config, TrainingData pairs,
                      TrainingData real) {
        if (generator == teacher) {
            throw new IllegalArgumentException("SF-V trainer: the generator must be a copy of the teacher, not the teacher "
                    + "itself (the discriminator's features must stay frozen)");
        }
        if (pairs.size() < 1 || real.size() < 1) {
            throw new IllegalArgumentException("SF-V trainer: the pairs and the real data must hold examples");
        }
        this.generator = generator;
        this.be = generator.backend();
        this.genForward = new WanTrainForward(generator);
        this.discriminator = new SfvDiscriminator(teacher, heads);
        this.oneStep = new OneStep(config.shift());
        this.config = config;
        this.pairs = pairs;
        this.real = real;
        for (Map.Entry<String, Tensor> e : generator.parameters().entrySet()) {
            genParams.add(Parameter.trainable(e.getKey(), be.convert(e.getValue(), DType.F32)));
        }
        this.adamG = new AdamW(config.adamG(), genParams);
        this.adamD = new AdamW(config.adamD(), heads.parameters());
        this.ema = config.emaDecay() > 0 ? new Ema(genParams, config.emaDecay()) : null;
        this.pairOrder = new DataOrder(config.dataSeed(), pairs.size());
        this.realOrder = new DataOrder(config.dataSeed() + 1, real.size());
    }

    /** One generator step and one discriminator step; returns the losses before the updates. */
    public Losses step() {
        long u = step;
        float sG = (float) config.noiseLevels().sample(config.noiseSeed(), 3 * u);
        float sR = (float) config.noiseLevels().sample(config.noiseSeed(), 3 * u + 1);
        float sF = (float) config.noiseLevels().sample(config.noiseSeed(), 3 * u + 2);
        double adv;
        double reg;
        double dLoss;
        try (TrainingData.Example pair = pairs.get(pairOrder.next(), be);
             TrainingData.Example r = real.get(realOrder.next(), be)) {
            if (pair.source() == null) {
                throw new IllegalStateException("SF-V pairs must carry the noise as their source latent");
            }
            Tensor fake;
            try (Tape tape = new Tape(be); Tensor eps = noise(pair.latent(), u, 0)) {
                Variable ctx = tape.constant(pair.context());
                OneStep.Sample sample = oneStep.sample(tape, genForward, tape.constant(pair.source()), ctx);
                Variable x0 = sample.x0();
                Variable advLoss = HingeLoss.generator(tape, discriminator.judge(tape, x0, sG, eps, ctx, false).logits());
                Variable loss = advLoss;
                Variable regLoss = null;
                if (config.regression() > 0) {
                    regLoss = tape.mseLoss(x0, tape.constant(pair.latent()));
                    loss = tape.add(advLoss, tape.affine(regLoss, (float) config.regression(), 0));
                }
                tape.backward(loss);
                adv = be.toFloats(advLoss.value())[0];
                reg = regLoss == null ? Double.NaN : be.toFloats(regLoss.value())[0];
                copyGradients(sample.parameters());
                fake = be.convert(x0.value(), DType.F32);
            }
            updateGenerator();
            try (Tensor fakeOwned = fake; Tape tape = new Tape(be);
                 Tensor epsR = noise(r.latent(), u, 1); Tensor epsF = noise(fake, u, 2)) {
                DiscriminatorHeads.Pass onReal = discriminator.judge(tape, tape.constant(r.latent()), sR, epsR,
                        tape.constant(r.context()), true);
                DiscriminatorHeads.Pass onFake = discriminator.judge(tape, tape.constant(fakeOwned), sF, epsF,
                        tape.constant(pair.context()), true);
                Variable loss = HingeLoss.discriminator(tape, onReal.logits(), onFake.logits());
                tape.backward(loss);
                dLoss = be.toFloats(loss.value())[0];
                for (Parameter p : discriminator.heads().parameters().trainable()) {
                    Tensor g = sum(onReal.parameters().get(p.name()), onFake.parameters().get(p.name()));
                    be.copy(g, p.grad());
                    g.close();
                }
                adamD.step(config.adamD().lr());
            }
        }
        step++;
        return new Losses(adv, reg, dLoss);
    }

    /** The generator's parameter gradients of the recorded pass into the masters' gradient tensors. */
    private void copyGradients(Map<String, Variable> vars) {
        for (Parameter p : genParams.trainable()) {
            Variable v = vars.get(p.name());
            if (v == null || v.grad() == null) {
                p.zeroGrad();
            } else {
                be.copy(v.grad(), p.grad());
            }
        }
    }

    private void updateGenerator() {
        GradClip.globalNorm(genParams, config.clipNorm() > 0 ? config.clipNorm() : Double.POSITIVE_INFINITY);
        adamG.step(config.adamG().lr());
        if (ema != null) {
            ema.update();
        }
        for (Parameter p : genParams.trainable()) {
            be.copy(p.master(), generator.parameters().get(p.name()));
        }
    }

    /** A head parameter's gradient summed over its two uses (real and fake pass). */
    private Tensor sum(Variable a, Variable b) {
        return be.combine(new float[] {1, 1}, a.grad(), b.grad());
    }

    private Tensor noise(Tensor like, long u, int k) {
        Tensor t = be.empty(DType.F32, like.shape());
        be.fillNormal(t, config.noiseSeed(), (3 * u + k + 1) << 32);
        return t;
    }

    /** Steps done. */
    public long stepCount() {
        return step;
    }

    /** The generator's F32 masters by official name. */
    public ParameterSet generatorParameters() {
        return genParams;
    }

    /** The EMA of the generator, or null when none is kept. */
    public Ema ema() {
        return ema;
    }

    /** Writes {@code generator.safetensors} and {@code discriminator.safetensors} into dir, each atomically. */
    public void save(Path dir) throws IOException {
        Files.createDirectories(dir);
        LrSchedule constG = LrSchedule.constant(config.adamG().lr(), 0);
        LrSchedule constD = LrSchedule.constant(config.adamD().lr(), 0);
        TrainCheckpoint.save(dir.resolve("generator.safetensors"), genParams, adamG, ema,
                TrainProgress.of(step, pairOrder, config.noiseSeed(), step, constG));
        TrainCheckpoint.save(dir.resolve("discriminator.safetensors"), discriminator.heads().parameters(), adamD, null,
                TrainProgress.of(step, realOrder, config.noiseSeed(), step, constD));
    }

    /** Continues the run saved in dir by {@link #save}. */
    public void resume(Path dir) throws IOException {
        TrainProgress g = TrainCheckpoint.load(dir.resolve("generator.safetensors"), genParams, adamG, ema);
        TrainProgress d = TrainCheckpoint.load(dir.resolve("discriminator.safetensors"), discriminator.heads().parameters(),
                adamD, null);
        if (g.step() != d.step() || g.rngSeed() != config.noiseSeed() || g.dataSeed() != config.dataSeed()
                || d.dataSeed() != config.dataSeed() + 1 || g.dataSize() != pairs.size() || d.dataSize() != real.size()) {
            throw new IOException(dir + ": the checkpoint is of another run (steps " + g.step() + "/" + d.step()
                    + ", noise seed " + g.rngSeed() + ", data seed " + g.dataSeed() + "; this run has noise seed "
                    + config.noiseSeed() + ", data seed " + config.dataSeed() + "): resume with that run's seeds and data");
        }
        step = g.step();
        pairOrder = g.dataOrder();
        realOrder = d.dataOrder();
        for (Parameter q : genParams.trainable()) {
            be.copy(q.master(), generator.parameters().get(q.name()));
        }
    }

    @Override
    public void close() {
        if (ema != null) {
            ema.close();
        }
        adamG.close();
        adamD.close();
        genParams.close();
    }
}
