package dev.surf.bench;

import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.models.api.TextEmbedding;
import dev.surf.models.wan.WanConfig;
import dev.surf.models.wan.WanModel;
import dev.surf.models.wan.WanTrainForward;
import dev.surf.models.weights.RandomWeights;

/**
 * Peak memory of one training pass (forward, MSE loss, every gradient) of the Wan 2.1 1.3B DiT at its
 * real width on the CPU backend, with and without activation checkpointing per block, for each
 * (blocks, latent frames) given: the bytes of open tensors at the peak beyond the model's weights
 * ({@link dev.surf.core.MemoryMeter}), split into the gradients the pass returns and the rest
 * (activations and work space). The latent is frames x 16 x 16, so the tokens are frames x 64.
 *
 * <p>{@code java ... dev.surf.bench.TrainMemoryProbe [threads] blocks:frames ...}, e.g. {@code 2 1:5 2:5 1:10}.
 */
public final class TrainMemoryProbe {
    private TrainMemoryProbe() {
    }

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : Runtime.getRuntime().availableProcessors();
        System.out.println("| blocks | tokens | checkpointing | peak beyond weights (MB) | of which gradients (MB) | rest (MB) | seconds |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (int a = 1; a < args.length; a++) {
            String[] bf = args[a].split(":");
            int blocks = Integer.parseInt(bf[0]);
            int frames = Integer.parseInt(bf[1]);
            for (boolean ckpt : new boolean[] {false, true}) {
                probe(threads, blocks, frames, ckpt);
            }
        }
    }

    private static void probe(int threads, int blocks, int frames, boolean checkpoint) throws Exception {
        WanConfig c = WanConfig.T2V_1_3B;
        WanConfig cfg = new WanConfig(c.patchT(), c.patchH(), c.patchW(), c.textLen(), c.inDim(), c.dim(), c.ffnDim(),
                c.freqDim(), c.textDim(), c.outDim(), c.numHeads(), blocks, c.qkNorm(), c.crossAttnNorm(), c.eps());
        try (CpuBackend be = new CpuBackend(threads); WanModel model = WanModel.load(new RandomWeights(1), be, cfg);
             Tensor x = be.empty(DType.F32, Shape.of(c.inDim(), frames, 16, 16));
             Tensor target = be.empty(DType.F32, Shape.of(c.inDim(), frames, 16, 16));
             Tensor ctx = TextEmbedding.standIn("a probe prompt of a few words", c.textDim(), 32).upload(be)) {
            be.fillNormal(x, 2, 0);
            be.fillNormal(target, 3, 0);
            be.memory().resetPeak();
            long before = be.memory().liveBytes();
            long t0 = System.nanoTime();
            try (WanTrainForward.Gradients g = new WanTrainForward(model, n -> true, checkpoint).mseGradients(x, 500f, ctx, target)) {
                double seconds = (System.nanoTime() - t0) / 1e9;
                long grads = 4L * (g.x().numel() + g.context().numel());
                for (Tensor t : g.parameters().values()) {
                    grads += 4L * t.numel();
                }
                long peak = be.memory().peakBytes() - before;
                System.out.printf("| %d | %d | %s | %.1f | %.1f | %.1f | %.1f |%n", blocks, frames * 64, checkpoint ? "per block" : "off",
                        peak / 1e6, grads / 1e6, (peak - grads) / 1e6, seconds);
            }
        }
    }
}
