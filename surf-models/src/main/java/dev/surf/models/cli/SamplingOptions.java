package dev.surf.models.cli;

import dev.surf.core.io.OutputPlan;
import dev.surf.models.api.EmbeddedModel;
import dev.surf.models.api.GenerationRequest;
import dev.surf.models.api.SurfEngine;
import dev.surf.models.api.TextEmbedding;
import dev.surf.models.pipeline.VideoSize;
import dev.surf.models.sched.SolverKind;
import dev.surf.models.sched.WanDefaults;
import dev.surf.models.wan.WanConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Options shared by the commands that sample: the model, the text, size, schedule and seed. */
final class SamplingOptions {
    @Spec(Spec.Target.MIXEE)
    private CommandSpec command;

    /** The checkpoint --model names, or null for an embedded model (see {@link #embedded()}). */
    Path model;

    /** The embedded model that runs: the one --model names, or the default when --model is absent; null for a checkpoint. */
    private EmbeddedModel embedded = EmbeddedModel.TINY_RANDOM;

    @Option(names = "--model", paramLabel = "NAME|PATH", description = "an embedded model by name (tiny-random, the "
            + "default: random weights) or a Wan DiT checkpoint: .safetensors file or folder (official or diffusers "
            + "naming); a name wins over a file of that name (write ./NAME for the file)")
    void model(String value) {
        if (value.isBlank()) {
            throw new CommandLine.ParameterException(command.commandLine(), "--model is empty: give an embedded model ("
                    + EmbeddedModel.names() + ") or a checkpoint path");
        }
        embedded = EmbeddedModel.byName(value).orElse(null);
        model = embedded == null ? Path.of(value) : null;
    }

    @Option(names = "--config", description = "config.json of the model (default: beside the weights, else inferred)")
    Path config;

    @Option(names = "--context", description = "safetensors with the prompt embedding 'context' [n, text_dim] and "
            + "optionally 'context_null' (negative prompt), e.g. from 'surf encode-text'; wins over --prompt")
    Path context;

    @Option(names = "--prompt", description = "prompt text, encoded by umT5 when a text encoder is available (--t5/--tokenizer "
            + "or the --model folder's); with the tiny model and no encoder it seeds a stand-in embedding")
    String prompt = "a corgi surfing a wave at sunset";

    @Option(names = "--negative-prompt", description = "negative prompt for guidance (default, also when empty: the "
            + "official Chinese negative prompt of Wan 2.1)")
    String negativePrompt;

    @Option(names = "--t5", description = "umT5 encoder weights (default: " + TextEncoderFiles.T5_FILE + " in the --model folder)")
    Path t5;

    @Option(names = "--tokenizer", description = "umT5 tokenizer folder with tokenizer.json (default: "
            + TextEncoderFiles.TOKENIZER_DIR + " in the --model folder)")
    Path tokenizer;

    @Option(names = "--size", description = "base resolution WIDTHxHEIGHT (default 832x480; tiny model 128x128)")
    String size;

    @Option(names = "--frames", description = "video frames, 4n+1 (default 81; tiny model 17)")
    Integer frames;

    @Option(names = "--steps", description = "sampling steps (default 50)")
    Integer steps;

    @Option(names = "--shift", description = "timestep shift (default 5.0)")
    Double shift;

    @Option(names = "--guide", description = "classifier-free guidance scale, 1 = off (default 5.0)")
    Double guide;

    @Option(names = "--solver", defaultValue = "unipc", description = "unipc (official) or euler")
    String solver;

    @Option(names = "--seed", defaultValue = "42", description = "noise seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu, cpu:THREADS, cuda, cuda:INDEX (default ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--dtype", description = "bf16 (CUDA default) or f32 (the CPU's only type; on CUDA slower and more precise)")
    String dtype;

    @Option(names = "--memory-limit", description = "cap on the device memory the engine holds, e.g. 40g or 512m (CUDA)")
    String memoryLimit;

    /** Declares the files these options read, so that no output can replace one of them. */
    OutputPlan inputs(OutputPlan plan) {
        return plan.input("--model", model).input("--config", config).input("--context", context).input("--t5", t5)
                .input("--tokenizer", tokenizer);
    }

    boolean tiny() {
        return embedded == EmbeddedModel.TINY_RANDOM;
    }

    /** The embedded model that runs, or null when --model names a checkpoint. */
    EmbeddedModel embedded() {
        return embedded;
    }

    /** The engine builder for these options (announcing the tiny model when it is used). */
    SurfEngine.Builder engine(PrintStream err) {
        if (tiny() && config != null) {
            throw new SurfCli.UserException("--config " + config + " describes a --model checkpoint; give --model too "
                    + "(the embedded tiny model has its own config)");
        }
        if (tiny()) {
            err.println("surf: running " + embedded.description() + " (--model " + embedded.cliName() + ")."
                    + " The pipeline is real; the pictures are not. Give --model for a Wan 2.1 checkpoint.");
        }
        SurfEngine.Builder b = SurfEngine.builder().device(device);
        if (dtype != null) {
            b.dtype(switch (dtype.toLowerCase(java.util.Locale.ROOT)) {
                case "bf16" -> dev.surf.core.DType.BF16;
                case "f32", "fp32" -> dev.surf.core.DType.F32;
                default -> throw new SurfCli.UserException("--dtype must be bf16 or f32, got " + dtype);
            });
        }
        if (memoryLimit != null) {
            b.memoryLimit(bytes(memoryLimit));
        }
        if (context == null) {
            TextEncoderFiles te = TextEncoderFiles.resolve(t5, tokenizer, model);
            if (te != null) {
                b.textEncoder(te.t5(), te.tokenizer());
            }
        }
        return tiny() ? b : b.model(model).config(config);
    }

    /** The smallest and largest --memory-limit accepted: 1 MiB and 1024 TiB. */
    static final long MIN_MEMORY_LIMIT = 1L << 20;
    static final long MAX_MEMORY_LIMIT = 1L << 50;

    /** Parses a --memory-limit such as 40g, 512m, 1.5G, 2t or a plain byte count, within [1m, 1024t]. */
    static long bytes(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        long unit = 1;
        if (!t.isEmpty() && "kmgt".indexOf(t.charAt(t.length() - 1)) >= 0) {
            unit = 1L << (10 * (1 + "kmgt".indexOf(t.charAt(t.length() - 1))));
            t = t.substring(0, t.length() - 1);
        }
        double v;
        try {
            v = Double.parseDouble(t);
        } catch (NumberFormatException e) {
            v = Double.NaN;
        }
        double b = v * unit;
        if (!(b >= MIN_MEMORY_LIMIT && b <= MAX_MEMORY_LIMIT)) {
            throw new SurfCli.UserException("--memory-limit '" + text + "' must look like 40g, 512m or a byte count, "
                    + "between 1m and 1024t");
        }
        return (long) b;
    }

    /** Prints what the engine loaded (device, where each model's weights came from). */
    static void announce(SurfEngine engine, PrintStream err) {
        for (String line : engine.describe()) {
            err.println("surf: " + line);
        }
    }

    /** The negative prompt: the official default when none (or an empty one) is given, as the official code. */
    String negative() {
        return negativePrompt == null || negativePrompt.isEmpty() ? WanDefaults.NEGATIVE_PROMPT_ZH : negativePrompt;
    }

    /** The baseline request of these options (no SURF, no refine). */
    GenerationRequest request(SurfEngine engine, PrintStream err) throws Exception {
        WanConfig c = engine.baseConfig();
        TextEmbedding ctx;
        TextEmbedding neg;
        double g = guide != null ? guide : WanDefaults.T2V.guideScale();
        if (context != null) {
            ctx = TextInputs.read(context, "context", true);
            neg = TextInputs.read(context, "context_null", false);
        } else if (engine.hasTextEncoder()) {
            long t0 = System.nanoTime();
            ctx = engine.encodeText(prompt, w -> err.println("surf: warning: " + w));
            neg = g > 1 ? engine.encodeText(negative(), w -> err.println("surf: warning (negative prompt): " + w)) : null;
            err.printf(java.util.Locale.ROOT, "surf: text encoded in %.2f s (%d prompt tokens%s)%n", (System.nanoTime() - t0) / 1e9,
                    ctx.rows(), neg == null ? "" : ", " + neg.rows() + " negative-prompt tokens");
        } else if (tiny()) {
            err.println("surf: no text encoder (--t5/--tokenizer): the tiny model gets a deterministic stand-in embedding of the prompt");
            ctx = TextEmbedding.standIn(prompt, c.textDim(), c.textLen());
            neg = TextEmbedding.standIn(negative(), c.textDim(), c.textLen());
        } else {
            throw new SurfCli.UserException("no text encoder: give --t5 FILE and --tokenizer DIR (or put "
                    + TextEncoderFiles.T5_FILE + " and " + TextEncoderFiles.TOKENIZER_DIR + "/ in the --model folder), or --context FILE "
                    + "with 'context' [n, " + c.textDim() + "] (and 'context_null' for guidance)");
        }
        if (g > 1 && neg == null) {
            throw new SurfCli.UserException("guidance " + g + " needs 'context_null' in " + context + " (or use --guide 1)");
        }
        VideoSize vs = VideoSize.parse(size != null ? size : tiny() ? "128x128" : "832x480",
                frames != null ? frames : tiny() ? 17 : WanDefaults.T2V.frameNum());
        int n = steps != null ? steps : WanDefaults.T2V.steps();
        double s = shift != null ? shift : WanDefaults.T2V.shift();
        return new GenerationRequest(ctx, g > 1 ? neg : null, vs, seed, n, s, g, SolverKind.fromName(solver), null, null, 0);
    }
}
