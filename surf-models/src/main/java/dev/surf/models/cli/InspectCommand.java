package dev.surf.models.cli;

import dev.surf.models.weights.Checkpoint;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code surf inspect PATH}: weight format and one line per tensor. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "List the tensors of a checkpoint (safetensors file or folder, sharded index, torch .pth) and detect its naming (wan-official, diffusers, unknown).")
final class InspectCommand implements Callable<Integer> {
    @Parameters(paramLabel = "PATH", description = "a .safetensors file, a folder of them, a sharded checkpoint folder or index, or a torch .pth")
    Path path;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try (Checkpoint ckpt = Checkpoint.open(path)) {
            for (String line : ckpt.describe()) {
                spec.commandLine().getOut().println(line);
            }
        }
        spec.commandLine().getOut().flush();
        return 0;
    }
}
