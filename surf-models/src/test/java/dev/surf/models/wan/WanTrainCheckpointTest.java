package dev.surf.models.wan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.testing.Numerics;
import dev.surf.models.weights.RandomWeights;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Activation checkpointing per block ({@link WanTrainForward} with checkpointBlocks): the loss and every
 * gradient equal the directly recorded pass's (global and windowed attention), and the memory a pass
 * holds beyond its gradients does not grow with the number of blocks except by one block input each,
 * where the directly recorded pass grows by every block's activations.
 */
class WanTrainCheckpointTest {
    private static final Shape X = Shape.of(16, 3, 8, 8);
    private static final int TEXT = 5;

    private static WanConfig config(int layers) {
        return new WanConfig(1, 2, 2, 8, 16, 64, 128, 64, 32, 16, 2, layers, true, true, 1e-6f);
    }

    /** The pass's gradients by name ("x", "context", parameters) and its peak bytes beyond what existed before. */
    private record Run(Map<String, float[]> grads, float loss, long peakBeyondGradients) {
    }

    private static Run run(int layers, int window, boolean checkpoint) throws Exception {
        WanConfig c = config(layers);
        try (CpuBackend be = new CpuBackend(2); WanModel m = WanModel.load(new RandomWeights(7), be, c, window);
             Tensor x = be.empty(DType.F32, X); Tensor target = be.empty(DType.F32, X);
             Tensor ctx = be.empty(DType.F32, Shape.of(TEXT, c.textDim()))) {
            be.fillNormal(x, 1, 0);
            be.fillNormal(target, 2, 0);
            be.fillNormal(ctx, 3, 0);
            be.memory().resetPeak();
            long before = be.memory().liveBytes();
            try (WanTrainForward.Gradients g = new WanTrainForward(m, n -> true, checkpoint).mseGradients(x, 600f, ctx, target)) {
                Map<String, float[]> out = new TreeMap<>();
                out.put("x", be.toFloats(g.x()));
                out.put("context", be.toFloats(g.context()));
                long gradBytes = 4L * (g.x().numel() + g.context().numel());
                for (var e : g.parameters().entrySet()) {
                    out.put(e.getKey(), be.toFloats(e.getValue()));
                    gradBytes += 4L * e.getValue().numel();
                }
                return new Run(out, g.loss(), be.memory().peakBytes() - before - gradBytes);
            }
        }
    }

    private static void assertSameGradients(Run direct, Run ckpt) {
        assertEquals(direct.grads().keySet(), ckpt.grads().keySet());
        assertEquals(direct.loss(), ckpt.loss(), "the loss: the same forward ops in the same order");
        // Not bit for bit: the context and the time embedding feed every block, and their per-block
        // contributions are summed inside the block first when it is a checkpoint. 1e-6 relative is
        // F32 reassociation, far below any wiring error.
        for (String k : direct.grads().keySet()) {
            Numerics.assertClose(k, ckpt.grads().get(k), direct.grads().get(k), 1e-6);
        }
    }

    @Test
    void checkpointedGradientsEqualTheDirectOnes() throws Exception {
        assertSameGradients(run(3, 0, false), run(3, 0, true));
    }

    @Test
    void checkpointedGradientsEqualTheDirectOnesWithTimeWindows() throws Exception {
        assertSameGradients(run(2, 2, false), run(2, 2, true));
    }

    @Test
    void heldMemoryDoesNotGrowWithTheBlocks() throws Exception {
        long direct2 = run(2, 0, false).peakBeyondGradients();
        long direct6 = run(6, 0, false).peakBeyondGradients();
        long ckpt2 = run(2, 0, true).peakBeyondGradients();
        long ckpt6 = run(6, 0, true).peakBeyondGradients();
        WanConfig c = config(6);
        long tokens = X.numel() / c.inDim() / 4;
        long streamBytes = 4L * tokens * c.dim();
        long perBlockDirect = (direct6 - direct2) / 4;
        long perBlockCkpt = (ckpt6 - ckpt2) / 4;
        System.out.printf("peak beyond gradients: direct %d / %d, checkpointed %d / %d bytes (2 / 6 blocks);"
                + " per block %d vs %d; one block input %d%n", direct2, direct6, ckpt2, ckpt6, perBlockDirect, perBlockCkpt,
                streamBytes);
        // A checkpointed block adds its input (one [L, dim] stream) to what the pass holds; a
        // directly recorded one adds its activations (tens of [L, dim]-sized tensors).
        assertTrue(perBlockCkpt <= streamBytes, "checkpointed: " + perBlockCkpt + " bytes per block");
        assertTrue(perBlockDirect > 10 * streamBytes, "direct: " + perBlockDirect + " bytes per block");
    }
}
