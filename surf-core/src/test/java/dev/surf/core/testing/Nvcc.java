package dev.surf.core.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether the CUDA compiler is here, as cuda/build.sh and cuda/lab/build.sh look for it. */
public final class Nvcc {
    private Nvcc() {
    }

    /** $NVCC if set (a path, or a name on the PATH), else nvcc on the PATH. */
    public static boolean available() {
        String nvcc = System.getenv().getOrDefault("NVCC", "nvcc");
        if (nvcc.contains(File.separator)) {
            return Files.isExecutable(Path.of(nvcc));
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, nvcc))) {
                return true;
            }
        }
        return false;
    }
}
