package dev.surf.models.cli;

import dev.surf.core.Backend;
import dev.surf.core.Backends;
import dev.surf.core.Tensor;
import dev.surf.core.io.OutputPlan;
import dev.surf.core.safetensors.SafetensorsFile;
import dev.surf.core.safetensors.SafetensorsWriter;
import dev.surf.core.safetensors.TensorInfo;
import dev.surf.models.wan.TextContext;
import dev.surf.models.wan.WanCheckpoint;
import dev.surf.models.wan.WanConfig;
import dev.surf.models.wan.WanConfigSource;
import dev.surf.models.wan.WanModel;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code surf forward}: one DiT forward on tensors read from a safetensors file. */
@Command(name = "forward", mixinStandardHelpOptions = true,
        description = "Run one Wan DiT forward: reads x [16,F,H,W], t [1] and context [n,text_dim] from --input, writes out [16,F,H,W].")
final class ForwardCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "DiT checkpoint: .safetensors file or folder (official or diffusers naming)")
    Path model;

    @Option(names = "--config", description = "config.json (default: the one beside the weights, else inferred from shapes)")
    Path config;

    @Option(names = "--input", required = true, description = "safetensors with tensors x, t, context")
    Path input;

    @Option(names = "--output", required = true, description = "safetensors to write (tensor out)")
    Path output;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, cpu:THREADS, cuda, cuda:INDEX or auto (default: ${DEFAULT-VALUE})")
    String device;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (OutputPlan plan = OutputPlan.of("forward").input("--model", model).input("--config", config).input("--input", input)
                .file("--output", output).check();
             Backend be = Backends.open(device);
             SafetensorsFile in = SafetensorsFile.open(input);
             WanModel m = WanCheckpoint.load(model, config, be, this::sayConfigSource)) {
            WanConfig c = m.config();
            TensorInfo x = require(in, "x", "[" + c.inDim() + ", F, H, W]", 4);
            if (x.shape().dim(0) != c.inDim()) {
                throw new SurfCli.UserException("tensor x in " + input + " has shape " + x.shape() + ", expected ["
                        + c.inDim() + ", F, H, W] for this model");
            }
            TensorInfo t = require(in, "t", "[1]", 1);
            TensorInfo ctx = require(in, "context", "[n, " + c.textDim() + "]", 2);
            if (t.shape().dim(0) != 1) {
                throw new SurfCli.UserException("tensor t in " + input + " has shape " + t.shape() + ", expected [1]");
            }
            if (ctx.shape().dim(1) != c.textDim() || ctx.shape().dim(0) > c.textLen() || ctx.shape().dim(0) < 1) {
                throw new SurfCli.UserException("tensor context in " + input + " has shape " + ctx.shape() + ", expected [n, "
                        + c.textDim() + "] with 1 <= n <= text_len " + c.textLen());
            }
            long start = System.nanoTime();
            try (Tensor xt = load(be, in, x); Tensor tt = load(be, in, t); Tensor ct = load(be, in, ctx);
                 TextContext text = m.prepareText(List.of(ct));
                 Tensor v = m.forward(xt, be.toFloats(tt), text)) {
                be.synchronize();
                Map<String, Tensor> result = new LinkedHashMap<>();
                result.put("out", v);
                SafetensorsWriter.write(output, result, Map.of("producer", "surf forward"));
                plan.done();
                out.printf("forward on %s: x %s, t %s -> out %s in %.2f s, written to %s%n", be.name(), x.shape(),
                        be.toFloats(tt)[0], v.shape(), (System.nanoTime() - start) / 1e9, output);
            }
        }
        out.flush();
        return 0;
    }

    /** Without --config, one line on stderr says where the config came from and what was assumed. */
    private void sayConfigSource(WanConfigSource src) {
        if (src.origin() != WanConfigSource.Origin.GIVEN_FILE) {
            spec.commandLine().getErr().println("surf forward: " + src.describe());
            spec.commandLine().getErr().flush();
        }
    }

    private TensorInfo require(SafetensorsFile in, String name, String expected, int rank) {
        if (!in.has(name)) {
            throw new SurfCli.UserException("input " + input + " lacks tensor '" + name + "' (expected shape " + expected + ")");
        }
        TensorInfo info = in.info(name);
        if (info.dtype() == null || !info.dtype().isFloating()) {
            throw new SurfCli.UserException("tensor " + name + " in " + input + " has dtype " + info.dtypeName()
                    + "; expected F32, BF16 or F16");
        }
        if (info.shape().rank() != rank) {
            throw new SurfCli.UserException("tensor " + name + " in " + input + " has shape " + info.shape() + ", expected " + expected);
        }
        return info;
    }

    private static Tensor load(Backend be, SafetensorsFile in, TensorInfo info) throws Exception {
        return in.read(be, info.name());
    }
}
