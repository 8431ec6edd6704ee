package dev.surf.core.weights;

import dev.surf.core.pth.PthArchive;
import dev.surf.core.safetensors.WeightStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens a checkpoint of either kind by looking at it: a file starting with a zip signature is a
 * torch.save archive (.pth, .pt, .bin), anything else (a .safetensors file, an index, a folder) goes
 * to {@link WeightStore}.
 */
public final class WeightFiles {
    private WeightFiles() {
    }

    /** The archive at path; every problem is an IOException that names the file. */
    public static TensorArchive open(Path path) throws IOException {
        if (Files.isRegularFile(path) && isZip(path)) {
            return PthArchive.open(path);
        }
        return WeightStore.open(path);
    }

    private static boolean isZip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(4);
            return head.length == 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
        }
    }
}
