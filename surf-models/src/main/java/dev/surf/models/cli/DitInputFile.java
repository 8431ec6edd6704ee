package dev.surf.models.cli;

import dev.surf.core.Backend;
import dev.surf.core.Tensor;
import dev.surf.core.safetensors.SafetensorsFile;
import dev.surf.core.safetensors.TensorInfo;
import dev.surf.models.wan.WanConfig;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The tensors a DiT command reads from its --input safetensors (x, t, context, and for
 * {@code surf backward} the target), each checked for presence, dtype and shape against the model's
 * config with a one-line {@link SurfCli.UserException} that names the file and the tensor.
 */
final class DitInputFile {
    private final SafetensorsFile in;
    private final Path path;
    private final WanConfig config;

    DitInputFile(SafetensorsFile in, Path path, WanConfig config) {
        this.in = in;
        this.path = path;
        this.config = config;
    }

    /** x [in_dim, F, H, W]. */
    TensorInfo latent() {
        TensorInfo x = require("x", "[" + config.inDim() + ", F, H, W]", 4);
        if (x.shape().dim(0) != config.inDim()) {
            throw new SurfCli.UserException("tensor x in " + path + " has shape " + x.shape() + ", expected ["
                    + config.inDim() + ", F, H, W] for this model");
        }
        return x;
    }

    /** t [1]. */
    TensorInfo timestep() {
        TensorInfo t = require("t", "[1]", 1);
        if (t.shape().dim(0) != 1) {
            throw new SurfCli.UserException("tensor t in " + path + " has shape " + t.shape() + ", expected [1]");
        }
        return t;
    }

    /** context [n, text_dim] with 1 <= n <= text_len. */
    TensorInfo context() {
        TensorInfo ctx = require("context", "[n, " + config.textDim() + "]", 2);
        if (ctx.shape().dim(1) != config.textDim() || ctx.shape().dim(0) > config.textLen() || ctx.shape().dim(0) < 1) {
            throw new SurfCli.UserException("tensor context in " + path + " has shape " + ctx.shape() + ", expected [n, "
                    + config.textDim() + "] with 1 <= n <= text_len " + config.textLen());
        }
        return ctx;
    }

    /** target [out_dim, F, H, W] with x's F, H, W. */
    TensorInfo target(TensorInfo x) {
        String expected = "[" + config.outDim() + ", " + x.shape().dim(1) + ", " + x.shape().dim(2) + ", " + x.shape().dim(3) + "]";
        TensorInfo t = require("target", expected, 4);
        if (!t.shape().equals(x.shape().with(0, config.outDim()))) {
            throw new SurfCli.UserException("tensor target in " + path + " has shape " + t.shape() + ", expected " + expected
                    + " (the model output for x " + x.shape() + ")");
        }
        return t;
    }

    Tensor read(Backend be, TensorInfo info) throws IOException {
        return in.read(be, info.name());
    }

    private TensorInfo require(String name, String expected, int rank) {
        if (!in.has(name)) {
            throw new SurfCli.UserException("input " + path + " lacks tensor '" + name + "' (expected shape " + expected + ")");
        }
        TensorInfo info = in.info(name);
        if (info.dtype() == null || !info.dtype().isFloating()) {
            throw new SurfCli.UserException("tensor " + name + " in " + path + " has dtype " + info.dtypeName()
                    + "; expected F32, BF16 or F16");
        }
        if (info.shape().rank() != rank) {
            throw new SurfCli.UserException("tensor " + name + " in " + path + " has shape " + info.shape() + ", expected " + expected);
        }
        return info;
    }
}
