package dev.surf.models.cli;

import dev.surf.core.Backend;
import dev.surf.core.Backends;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.safetensors.SafetensorsFile;
import dev.surf.core.safetensors.SafetensorsWriter;
import dev.surf.core.safetensors.TensorInfo;
import dev.surf.models.wan.WanCheckpoint;
import dev.surf.models.wan.WanConfigSource;
import dev.surf.models.wan.WanModel;
import dev.surf.models.wan.WanTrainForward;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code surf backward}: one DiT forward and backward of the MSE loss against a target, on tensors
 * read from a safetensors file; writes the loss and every gradient (the conformance probe for
 * training, and a debugging tool).
 */
@Command(name = "backward", mixinStandardHelpOptions = true,
        description = "Gradients of one Wan DiT forward: reads x [16,F,H,W], t [1], context [n,text_dim] and target [16,F,H,W] "
                + "from --input; writes loss [1] = mean((out-target)^2), grad.x, grad.context and grad.<parameter> for every parameter.")
final class BackwardCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "DiT checkpoint: .safetensors file or folder (official or diffusers naming)")
    Path model;

    @Option(names = "--config", description = "config.json (default: the one beside the weights, else inferred from shapes)")
    Path config;

    @Option(names = "--input", required = true, description = "safetensors with tensors x, t, context, target")
    Path input;

    @Option(names = "--output", required = true, description = "safetensors to write (loss, grad.x, grad.context, grad.<parameter>)")
    Path output;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, cpu:THREADS, cuda, cuda:INDEX or auto (default: ${DEFAULT-VALUE})")
    String device;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (Backend be = Backends.open(device);
             SafetensorsFile file = SafetensorsFile.open(input);
             WanModel m = WanCheckpoint.load(model, config, be, this::sayConfigSource)) {
            DitInputFile in = new DitInputFile(file, input, m.config());
            TensorInfo x = in.latent();
            TensorInfo t = in.timestep();
            TensorInfo ctx = in.context();
            TensorInfo target = in.target(x);
            long start = System.nanoTime();
            try (Tensor xt = in.read(be, x); Tensor tt = in.read(be, t); Tensor ct = in.read(be, ctx);
                 Tensor yt = in.read(be, target);
                 WanTrainForward.Gradients g = gradients(m, xt, be.toFloats(tt)[0], ct, yt);
                 Tensor loss = be.fromFloats(new float[] {g.loss()}, Shape.of(1))) {
                Map<String, Tensor> result = new LinkedHashMap<>();
                result.put("loss", loss);
                result.put("grad.x", g.x());
                result.put("grad.context", g.context());
                for (Map.Entry<String, Tensor> en : g.parameters().entrySet()) {
                    result.put("grad." + en.getKey(), en.getValue());
                }
                SafetensorsWriter.write(output, result, Map.of("producer", "surf backward"));
                out.printf("backward on %s: x %s, t %s -> loss %.6g and %d gradients in %.2f s, written to %s%n", be.name(),
                        x.shape(), be.toFloats(tt)[0], g.loss(), result.size() - 1, (System.nanoTime() - start) / 1e9, output);
            }
        }
        out.flush();
        return 0;
    }

    /** A backend without the gradient ops is a user-level limitation, said in one line. */
    private static WanTrainForward.Gradients gradients(WanModel m, Tensor x, float t, Tensor ctx, Tensor target) {
        try {
            return new WanTrainForward(m).mseGradients(x, t, ctx, target);
        } catch (UnsupportedOperationException e) {
            throw new SurfCli.UserException(e.getMessage());
        }
    }

    /** Without --config, one line on stderr says where the config came from and what was assumed. */
    private void sayConfigSource(WanConfigSource src) {
        if (src.origin() != WanConfigSource.Origin.GIVEN_FILE) {
            spec.commandLine().getErr().println("surf backward: " + src.describe());
            spec.commandLine().getErr().flush();
        }
    }
}
