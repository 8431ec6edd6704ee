package dev.surf.models.wan;

import dev.surf.core.Activation;
import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.TensorScope;
import java.util.List;

/**
 * The text side of a DiT forward, prepared once per prompt: the context rows zero-padded to
 * text_len BEFORE {@code text_embedding} (padding rows become a fixed vector and stay unmasked, spec
 * §2.3 step 5), the embedded context [B, text_len, dim], and every block's cross-attention keys and
 * values. Sampling reuses it at every step; the official code recomputes it per call with the same
 * result. Close it to free the tensors.
 */
public final class TextContext implements AutoCloseable {
    private final TensorScope scope = new TensorScope();
    private final Tensor embedded;
    private final Tensor[] keys;
    private final Tensor[] values;
    private final int batch;

    TextContext(WanModel model, Backend be, List<Tensor> contexts) {
        WanConfig c = model.config();
        batch = contexts.size();
        if (batch == 0) {
            throw new IllegalArgumentException("at least one text context is needed");
        }
        try {
            Tensor padded = scope.track(be.zeros(be.activationType(), Shape.of(batch * c.textLen(), c.textDim())));
            for (int b = 0; b < batch; b++) {
                Tensor ctx = contexts.get(b);
                if (ctx.rank() != 2 || ctx.dim(1) != c.textDim() || ctx.dim(0) > c.textLen()) {
                    throw new IllegalArgumentException("context " + b + " has shape " + ctx.shape() + ", expected [n, "
                            + c.textDim() + "] with n <= text_len " + c.textLen());
                }
                int n = ctx.dim(0);
                Tensor rows = ctx.dtype() == padded.dtype() ? ctx : scope.track(be.convert(ctx, padded.dtype()));
                be.copy(rows, padded.slice(b * c.textLen(), b * c.textLen() + n));
            }
            Tensor x = padded.view(batch, c.textLen(), c.textDim());
            Tensor h = scope.track(be.linear(x, model.textEmbedding0, model.textEmbedding0Bias, Activation.GELU_TANH));
            embedded = scope.track(be.linear(h, model.textEmbedding2, model.textEmbedding2Bias, Activation.NONE));
            keys = new Tensor[c.numLayers()];
            values = new Tensor[c.numLayers()];
            for (int i = 0; i < c.numLayers(); i++) {
                WanCrossAttention ca = model.blocks[i].crossAttn;
                keys[i] = ca.keys(be, scope, embedded);
                values[i] = ca.values(be, scope, embedded);
            }
        } catch (RuntimeException e) {
            scope.close();
            throw e;
        }
    }

    /** Number of contexts (the batch size it serves). */
    public int batch() {
        return batch;
    }

    /** The embedded context [B, text_len, dim]. */
    public Tensor embedded() {
        return embedded;
    }

    Tensor keys(int block) {
        return keys[block];
    }

    Tensor values(int block) {
        return values[block];
    }

    DType dtype() {
        return embedded.dtype();
    }

    @Override
    public void close() {
        scope.close();
    }
}
