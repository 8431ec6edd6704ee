package dev.surf.models.vae.train;

import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.Philox;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.grad.Tape;
import dev.surf.core.grad.Variable;
import dev.surf.core.optim.AdamW;
import dev.surf.core.optim.DataOrder;
import dev.surf.core.optim.GradClip;
import dev.surf.core.optim.LrSchedule;
import dev.surf.core.optim.Parameter;
import dev.surf.core.optim.ParameterSet;
import dev.surf.core.optim.TrainCheckpoint;
import dev.surf.core.optim.TrainProgress;
import dev.surf.core.safetensors.SafetensorsWriter;
import dev.surf.models.vae.WanVaeConfig;
import dev.surf.models.weights.WeightSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Trains a Wan-VAE (encoder and decoder together) as an autoencoder on random crops of clips, with
 * the loss of {@link VaeObjective}, in the engine: the forward is {@link VaeTrainForward} on a
 * {@link Tape}, the update AdamW with global-norm clipping and a learning-rate schedule (as
 * FlowMatchingTrainer uses them).
 *
 * <p>One {@link #step()} takes {@code batch} clips in a seeded {@link DataOrder}, cuts from each a
 * crop of cropFrames x cropHeight x cropWidth at offsets drawn from a Philox stream addressed by the
 * example counter u = step x batch + i, records encode and decode of every crop on one tape (so the
 * latent-moment term spans the batch), back-propagates, clips and applies AdamW. The networks are
 * convolutional, so weights trained on small crops encode and decode clips of any size (1 + 4n
 * frames, multiples of 8 pixels). Everything random is a function of the seed, and the CPU backend
 * is deterministic, so a run repeats bit for bit and a resumed checkpoint continues it exactly.
 */
public final class VaeTrainer implements AutoCloseable {
    /** Philox counter word of the crop offsets ("VCRP"), apart from DataOrder's stream. */
    private static final int CROP_STREAM = 0x56435250;
    /** Philox counter word of the crops' colour shifts ("VTNT"). */
    private static final int TINT_STREAM = 0x56544e54;

    /**
     * How to train.
     *
     * @param adam         AdamW hyper-parameters
     * @param schedule     learning rate per step, or null for the constant {@code adam.lr()}
     * @param clipNorm     global gradient norm bound, or 0 for none
     * @param batch        clips per optimizer step (at least 1)
     * @param cropWidth    crop width, a multiple of 8
     * @param cropHeight   crop height, a multiple of 8
     * @param cropFrames   crop frames, 1 + 4n
     * @param momentWeight weight of the latent-moment term (0: reconstruction only)
     * @param contrastWeight lambda of the contrast weighting of the reconstruction (0: every pixel alike; see VaeObjective)
     * @param chromaWeight scale of the chroma when the reconstruction is measured in opponent colours (0: in RGB; see VaeObjective)
     * @param tint         half-range of the random colour shift of every crop (0: none; see {@link #tinted})
     * @param seed         seed of the data order and of the crop offsets
     */
    public record Config(AdamW.Config adam, LrSchedule schedule, double clipNorm, int batch, int cropWidth, int cropHeight,
                         int cropFrames, double momentWeight, double contrastWeight, double chromaWeight, double tint,
                         long seed) {
        /** Without contrast weighting, opponent colours or tint (every pixel alike, in RGB, as rendered). */
        public Config(AdamW.Config adam, LrSchedule schedule, double clipNorm, int batch, int cropWidth, int cropHeight,
                      int cropFrames, double momentWeight, long seed) {
            this(adam, schedule, clipNorm, batch, cropWidth, cropHeight, cropFrames, momentWeight, 0, 0, 0, seed);
        }

        public Config {
            if (adam == null) {
                throw new IllegalArgumentException("VAE trainer: AdamW config is required");
            }
            if (schedule == null) {
                schedule = LrSchedule.constant(adam.lr(), 0);
            }
            if (batch < 1) {
                throw new IllegalArgumentException("VAE trainer: batch must be >= 1, got " + batch);
            }
            if (!(clipNorm >= 0) || Double.isInfinite(clipNorm)) {
                throw new IllegalArgumentException("VAE trainer: clipNorm must be >= 0 and finite (0 = off), got " + clipNorm);
            }
            if (!(momentWeight >= 0) || Double.isInfinite(momentWeight)) {
                throw new IllegalArgumentException("VAE trainer: moment weight must be >= 0 and finite, got " + momentWeight);
            }
            if (!(contrastWeight >= 0) || Double.isInfinite(contrastWeight)) {
                throw new IllegalArgumentException("VAE trainer: contrast weight must be >= 0 and finite, got " + contrastWeight);
            }
            if (!(chromaWeight >= 0) || Double.isInfinite(chromaWeight)) {
                throw new IllegalArgumentException("VAE trainer: chroma weight must be >= 0 and finite, got " + chromaWeight);
            }
            if (!(tint >= 0 && tint <= 2)) {
                throw new IllegalArgumentException("VAE trainer: tint must be in [0, 2], got " + tint);
            }
            if (cropWidth < 8 || cropHeight < 8 || cropWidth % 8 != 0 || cropHeight % 8 != 0) {
                throw new IllegalArgumentException("VAE trainer: crop " + cropWidth + "x" + cropHeight
                        + " must be positive multiples of 8");
            }
            if (cropFrames < 1 || (cropFrames - 1) % 4 != 0) {
                throw new IllegalArgumentException("VAE trainer: crop frames must be 1 + 4n (1, 5, 9, ...), got " + cropFrames);
            }
        }
    }

    /** The loss of one step (batch means, before the update) and where its time went. */
    public record Losses(double total, double l1, double mse, double moment, double gradNorm, double lr,
                         double forwardSeconds, double backwardSeconds) {
    }

    private final WanVaeConfig vae;
    private final Backend be;
    private final Config config;
    private final VaeClips data;
    private final VaeTrainForward forward;
    private final ParameterSet params = new ParameterSet();
    private final Map<String, Tensor> masters = new TreeMap<>();
    private final AdamW adam;
    private DataOrder order;
    private long step;

    /**
     * A trainer of a VAE of configuration {@code vae} starting from {@code init} (e.g. {@link VaeInit},
     * or a checkpoint's weights under official names; copied to F32, the source is not kept).
     *
     * @throws IOException what the source throws for a missing or misshapen parameter
     */
    public VaeTrainer(WanVaeConfig vae, Backend be, WeightSource init, Config config, VaeClips data) throws IOException {
        if (data.size() < 1) {
            throw new IllegalArgumentException("VAE trainer: the data holds no clips");
        }
        this.vae = vae;
        this.be = be;
        this.config = config;
        this.data = data;
        this.forward = new VaeTrainForward(vae);
        try {
            for (Map.Entry<String, Shape> e : VaeParameterShapes.of(vae, be).entrySet()) {
                Tensor master;
                try (Tensor loaded = init.load(be, e.getKey(), e.getValue(), DType.F32)) {
                    master = be.convert(loaded, DType.F32);
                }
                params.add(Parameter.trainable(e.getKey(), master));
                masters.put(e.getKey(), master);
            }
        } catch (IOException | RuntimeException ex) {
            params.close();
            throw ex;
        }
        this.adam = new AdamW(config.adam(), params);
        this.order = new DataOrder(config.seed(), data.size());
    }

    /** One optimizer step over {@code batch} crops; the losses are those before the update. */
    public Losses step() {
        long t0 = System.nanoTime();
        VaeObjective.Terms terms;
        double total;
        long t1;
        List<Tensor> crops = new ArrayList<>();
        try (Tape tape = new Tape(be)) {
            VaeTapeParams p = new VaeTapeParams(tape, masters, name -> true);
            List<Variable> recon = new ArrayList<>();
            List<Variable> targets = new ArrayList<>();
            List<Variable> latents = new ArrayList<>();
            for (int i = 0; i < config.batch(); i++) {
                long u = step * config.batch() + i;
                Tensor crop = crop(order.next(), u);
                crops.add(crop);
                Variable x = tape.constant(crop);
                Variable z = forward.encode(p, x);
                latents.add(z);
                recon.add(forward.decode(p, z));
                targets.add(x);
            }
            terms = VaeObjective.of(tape, recon, targets, latents, config.momentWeight(), config.contrastWeight(),
                    config.chromaWeight());
            total = be.toFloats(terms.total().value())[0];
            t1 = System.nanoTime();
            tape.backward(terms.total());
            Map<String, Tensor> grads = p.gradients();
            for (Parameter q : params.trainable()) {
                Tensor g = grads.get(q.name());
                if (g == null) {
                    q.zeroGrad();
                } else {
                    be.copy(g, q.grad());
                }
            }
        } finally {
            crops.forEach(Tensor::close);
        }
        double norm = GradClip.globalNorm(params, config.clipNorm() > 0 ? config.clipNorm() : Double.POSITIVE_INFINITY);
        if (!Double.isFinite(norm)) {
            throw new IllegalStateException("VAE training diverged at step " + (step + 1) + ": gradient norm " + norm
                    + " (lower the learning rate)");
        }
        step++;
        double lr = config.schedule().at(step);
        adam.step(lr);
        long t2 = System.nanoTime();
        return new Losses(total, terms.l1(), terms.mse(), terms.moment(), norm, lr, (t1 - t0) / 1e9,
                (t2 - t1) / 1e9);
    }

    /** The crop of clip {@code id} for example u: offsets in time, rows and columns from Philox(seed, u). */
    private Tensor crop(int id, long u) {
        try (Tensor clip = data.frames(id, be)) {
            Shape s = clip.shape();
            if (s.rank() != 4 || s.dim(0) != 3 || s.dim(1) < config.cropFrames() || s.dim(2) < config.cropHeight()
                    || s.dim(3) < config.cropWidth()) {
                throw new IllegalArgumentException("clip " + id + " is " + s + ", smaller than the crop [3, " + config.cropFrames()
                        + ", " + config.cropHeight() + ", " + config.cropWidth() + "]");
            }
            int[] r = new int[4];
            Philox.block((int) u, (int) (u >>> 32), 0, CROP_STREAM, (int) config.seed(), (int) (config.seed() >>> 32), r);
            int t0 = below(r[0], s.dim(1) - config.cropFrames() + 1);
            int y0 = below(r[1], s.dim(2) - config.cropHeight() + 1);
            int x0 = below(r[2], s.dim(3) - config.cropWidth() + 1);
            try (Tensor a = be.narrow(clip, 1, t0, config.cropFrames()); Tensor b = be.narrow(a, 2, y0, config.cropHeight());
                 Tensor c = be.narrow(b, 3, x0, config.cropWidth())) {
                Tensor f = be.convert(c, DType.F32);
                if (config.tint() == 0) {
                    return f;
                }
                try (f) {
                    return be.fromFloats(tinted(be.toFloats(f), u), f.shape());
                }
            }
        }
    }

    /**
     * The crop (channels first, RGB in [-1, 1]) with every value of channel c shifted by b_c, uniform in
     * [-tint, tint) from Philox(seed, u), and clamped to [-1, 1].
     *
     * <p>Why: in the world every background is black, white or gray, so colour other than gray lives
     * only in the object, a few percent of the pixels; an autoencoder trained on those clips learns
     * luminance long before hue (our first VAEs gave gray objects). A random tint per crop puts
     * colour in every pixel, the background included, so the hue path is trained everywhere. The
     * shift is a data augmentation: the clips themselves and what the VAE is asked to reproduce (the
     * tinted crop) stay consistent. Measured: in 1500 steps it did not give the objects hue and made
     * the reconstruction harder (docs/world-training.md, run vae10); kept as an option, off by default.
     */
    float[] tinted(float[] x, long u) {
        int[] r = new int[4];
        Philox.block((int) u, (int) (u >>> 32), 0, TINT_STREAM, (int) config.seed(), (int) (config.seed() >>> 32), r);
        int per = x.length / 3;
        float[] out = new float[x.length];
        for (int ch = 0; ch < 3; ch++) {
            double shift = config.tint() * (2 * ((r[ch] & 0xffffffffL) / 4294967296.0) - 1);
            for (int i = ch * per; i < (ch + 1) * per; i++) {
                out[i] = (float) Math.max(-1, Math.min(1, x[i] + shift));
            }
        }
        return out;
    }

    /** A uniform integer in [0, n) from 32 random bits (multiply-high). */
    private static int below(int bits, int n) {
        return (int) (((bits & 0xffffffffL) * n) >>> 32);
    }

    /** Optimizer steps done. */
    public long stepCount() {
        return step;
    }

    /** The VAE configuration. */
    public WanVaeConfig vaeConfig() {
        return vae;
    }

    /** The current weights (F32 masters) by official name, sorted; owned by the trainer. */
    public Map<String, Tensor> weights() {
        return java.util.Collections.unmodifiableMap(masters);
    }

    /** Writes weights, AdamW moments, step and data position (TrainCheckpoint, atomic). */
    public void save(Path file) throws IOException {
        TrainCheckpoint.save(file, params, adam, null,
                TrainProgress.of(step, order, config.seed(), step * config.batch(), config.schedule()));
    }

    /**
     * Continues the run saved in {@code file}.
     *
     * @throws IOException if it is not a checkpoint of these parameters, or of a run with another seed or data size
     */
    public void resume(Path file) throws IOException {
        TrainProgress p = TrainCheckpoint.load(file, params, adam, null);
        if (p.rngSeed() != config.seed() || p.dataSeed() != config.seed() || p.dataSize() != data.size()) {
            throw new IOException(file + ": the checkpoint is of a run with seed " + p.rngSeed() + " over " + p.dataSize()
                    + " clips, this one has seed " + config.seed() + " over " + data.size() + " clips: resume with the seed and"
                    + " the data of that run");
        }
        step = p.step();
        order = p.dataOrder();
    }

    /**
     * The weights as a safetensors file under official Wan-VAE names (F32, sorted), which
     * VaeCheckpoint.load and loadEncoder read back (config inferred from the shapes when it is Wan
     * 2.1's layout at another width, as the tiny VAE is).
     */
    public void writeWeights(Path file) throws IOException {
        SafetensorsWriter.write(file, masters, metadata(Map.of()));
    }

    /**
     * The weights as {@link #writeWeights(Path)} writes them, with the latent statistics folded in
     * (VaeLatentStandardizer.fold: the same reconstructions, latents of zero mean and unit deviation
     * per channel over the measured clips). The trainer's own weights stay as trained, so a resumed
     * run continues from them.
     */
    public void writeWeights(Path file, VaeLatentStandardizer.Stats stats) throws IOException {
        Map<String, Tensor> folded = VaeLatentStandardizer.fold(masters, stats, be);
        try {
            SafetensorsWriter.write(file, folded, metadata(stats.metadata()));
        } finally {
            VaeLatentStandardizer.closeFolded(folded);
        }
    }

    private Map<String, String> metadata(Map<String, String> extra) {
        Map<String, String> m = new TreeMap<>(extra);
        m.putAll(Map.of("producer", "surf train-vae", "format", "wan-official", "config", vae.toString(), "steps", Long.toString(step)));
        return m;
    }

    @Override
    public void close() {
        adam.close();
        params.close();
    }
}
