package dev.surf.models.cli;

import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.safetensors.SafetensorsFile;
import dev.surf.core.safetensors.TensorInfo;
import dev.surf.models.api.TextEmbedding;
import java.io.IOException;
import java.nio.file.Path;

/** Reads precomputed text embeddings: a safetensors file with context [n, text_dim] and optionally context_null. */
final class TextInputs {
    private TextInputs() {
    }

    /** The named tensor as an embedding, or null when optional and absent. */
    static TextEmbedding read(Path file, String name, boolean required) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(file); CpuBackend be = new CpuBackend(1)) {
            if (!f.has(name)) {
                if (required) {
                    throw new SurfCli.UserException("context file " + file + " lacks tensor '" + name + "' [n, text_dim]");
                }
                return null;
            }
            TensorInfo info = f.info(name);
            if (info.dtype() == null || !info.dtype().isFloating() || info.shape().rank() != 2) {
                throw new SurfCli.UserException("tensor " + name + " in " + file + " is " + info.dtypeName() + info.shape()
                        + "; expected a float tensor [n, text_dim]");
            }
            try (Tensor t = f.read(be, name)) {
                return new TextEmbedding(be.toFloats(t), t.dim(0), t.dim(1));
            }
        }
    }
}
