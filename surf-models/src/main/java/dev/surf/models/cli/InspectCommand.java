package dev.surf.models.cli;

import dev.surf.core.safetensors.Inspect;
import dev.surf.core.safetensors.WeightStore;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code surf inspect PATH}: weight format and one line per tensor. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "List the tensors of a safetensors file or checkpoint folder and detect its naming (wan-official, diffusers, unknown).")
final class InspectCommand implements Callable<Integer> {
    @Parameters(paramLabel = "PATH", description = "a .safetensors file, a folder of them, or a sharded checkpoint folder")
    Path path;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try (WeightStore store = WeightStore.open(path)) {
            for (String line : Inspect.describe(store)) {
                spec.commandLine().getOut().println(line);
            }
        }
        spec.commandLine().getOut().flush();
        return 0;
    }
}
