package dev.surf.models.cli;

import dev.surf.core.Backend;
import dev.surf.core.Backends;
import dev.surf.core.Shape;
import dev.surf.core.io.OutputPlan;
import dev.surf.core.safetensors.SafetensorsWriter;
import dev.surf.models.api.TextEmbedding;
import dev.surf.models.sched.WanDefaults;
import dev.surf.models.t5.T5Checkpoint;
import dev.surf.models.t5.TextEncoder;
import dev.surf.models.t5.UmT5Tokenizer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code surf encode-text}: a prompt (and the negative prompt) through the umT5 encoder into the
 * {@code context} / {@code context_null} file that {@code generate --context} reads.
 */
@Command(name = "encode-text", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Encode a prompt with umT5 as the official Wan 2.1 pipeline does (cleaning, EOS, at most 512 tokens, "
                + "rows of the real tokens only).",
            "Writes 'context' [n, dim] and 'context_null' [m, dim] (the negative prompt; Wan's official Chinese one by default) "
                    + "as F32 to --output, for 'surf generate --context'."})
final class EncodeTextCommand implements Callable<Integer> {
    @Option(names = "--t5", required = true, description = "umT5 encoder: " + TextEncoderFiles.T5_FILE
            + ", or safetensors (official or transformers UMT5EncoderModel naming)")
    Path t5;

    @Option(names = "--tokenizer", description = "tokenizer folder with tokenizer.json (the checkpoint's "
            + TextEncoderFiles.TOKENIZER_DIR + "); optional with --ids, which then writes no context_null without it")
    Path tokenizer;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--prompt", description = "the prompt text")
        String prompt;

        @Option(names = "--ids", description = "safetensors with token ids 'ids' and 'mask' (I64 [n], as the official tokenizer "
                + "returns them): bypasses the tokenizer")
        Path ids;
    }

    @Option(names = "--negative-prompt", description = "negative prompt (default, also when empty: the official Chinese one)")
    String negativePrompt;

    @Option(names = "--output", required = true, description = "OUT.safetensors")
    Path output;

    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu, cpu:THREADS, cuda, cuda:INDEX (default: ${DEFAULT-VALUE})")
    String device;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (input.prompt != null && tokenizer == null) {
            throw new SurfCli.UserException("--prompt needs --tokenizer DIR (the " + TextEncoderFiles.TOKENIZER_DIR + " folder)");
        }
        String negative = negativePrompt == null || negativePrompt.isEmpty() ? WanDefaults.NEGATIVE_PROMPT_ZH : negativePrompt;
        int[] givenIds = input.ids == null ? null : TokenIdsInput.read(input.ids);
        try (OutputPlan plan = OutputPlan.of("encode-text").input("--t5", t5).input("--tokenizer", tokenizer)
                .input("--ids", input.ids).file("--output", output).check();
             Backend be = Backends.open(device);
             TextEncoder te = open(be)) {
            long t0 = System.nanoTime();
            TextEmbedding ctx;
            TextEmbedding neg = null;
            if (givenIds != null) {
                ctx = te.encodeIds(List.of(givenIds)).get(0);
                if (te.tokenizer() != null) {
                    neg = te.encode(negative, w -> warn(err, "negative prompt: " + w));
                }
            } else {
                List<TextEmbedding> both = te.encode(List.of(input.prompt, negative), w -> warn(err, w));
                ctx = both.get(0);
                neg = both.get(1);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            Map<String, float[]> arrays = new LinkedHashMap<>();
            Map<String, Shape> shapes = new LinkedHashMap<>();
            arrays.put("context", ctx.values());
            shapes.put("context", Shape.of(ctx.rows(), ctx.dim()));
            if (neg != null) {
                arrays.put("context_null", neg.values());
                shapes.put("context_null", Shape.of(neg.rows(), neg.dim()));
            }
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("producer", "surf encode-text");
            meta.put("encoder", te.describe());
            meta.put("prompt", input.prompt != null ? input.prompt : "(token ids from " + input.ids + ")");
            if (neg != null) {
                meta.put("negative_prompt", negative);
            }
            SafetensorsWriter.writeFloats(output, arrays, shapes, meta);
            plan.done();
            out.printf(Locale.ROOT, "encoded on %s in %.2f s: context [%d, %d]%s -> %s%n", be.name(), seconds, ctx.rows(),
                    ctx.dim(), neg == null ? " (no context_null without --tokenizer)" : ", context_null [" + neg.rows() + ", "
                    + neg.dim() + "]", output);
        }
        out.flush();
        return 0;
    }

    /** The tokenizer (when given) and the encoder; the tokenizer is closed again if the encoder fails to load. */
    private TextEncoder open(Backend be) throws java.io.IOException {
        UmT5Tokenizer tok = tokenizer == null ? null : UmT5Tokenizer.open(tokenizer);
        try {
            return new TextEncoder(T5Checkpoint.load(t5, null, be), tok);
        } catch (java.io.IOException | RuntimeException e) {
            if (tok != null) {
                tok.close();
            }
            throw e;
        }
    }

    private static void warn(PrintWriter err, String w) {
        err.println("surf encode-text: warning: " + w);
        err.flush();
    }
}
