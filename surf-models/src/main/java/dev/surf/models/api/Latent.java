package dev.surf.models.api;

import dev.surf.core.Backend;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.safetensors.SafetensorsFile;
import dev.surf.core.safetensors.SafetensorsWriter;
import dev.surf.core.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A latent video on the host, [channels, frames, height, width] F32 row-major: what a generation
 * returns and what a refine starts from. Device-independent and immutable.
 */
public record Latent(float[] values, int channels, int frames, int height, int width) {

    public Latent {
        if (channels < 1 || frames < 1 || height < 1 || width < 1
                || values == null || values.length != (long) channels * frames * height * width) {
            throw new IllegalArgumentException("latent values do not match [" + channels + ", " + frames + ", " + height + ", " + width + "]");
        }
        values = values.clone();
    }

    @Override
    public float[] values() {
        return values.clone();
    }

    public Shape shape() {
        return Shape.of(channels, frames, height, width);
    }

    /** Copies a [C, F, H, W] tensor to the host. */
    public static Latent of(Backend be, Tensor t) {
        if (t.rank() != 4) {
            throw new IllegalArgumentException("a latent is [C, F, H, W], got " + t.shape());
        }
        return new Latent(be.toFloats(t), t.dim(0), t.dim(1), t.dim(2), t.dim(3));
    }

    /** Uploads to a backend as F32. */
    public Tensor upload(Backend be) {
        return be.fromFloats(values, shape());
    }

    /** Writes {name: latent} and the metadata to a safetensors file (atomically: temp name, then rename). */
    public void save(Path file, String name, Map<String, String> metadata) throws IOException {
        try (CpuBackend be = new CpuBackend(1); Tensor t = be.wrap(values.clone(), shape())) {
            Map<String, Tensor> m = new LinkedHashMap<>();
            m.put(name, t);
            SafetensorsWriter.write(file, m, metadata);
        }
    }

    /** Reads tensor name ([C, F, H, W], any float dtype) from a safetensors file. */
    public static Latent load(Path file, String name) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(file); CpuBackend be = new CpuBackend(1)) {
            if (!f.has(name)) {
                throw new IOException(file + " has no tensor '" + name + "' (it holds " + f.names() + ")");
            }
            TensorInfo info = f.info(name);
            if (info.dtype() == null || !info.dtype().isFloating() || info.shape().rank() != 4) {
                throw new IOException("tensor " + name + " in " + file + " is " + info.dtypeName() + info.shape()
                        + "; a latent is a float tensor [C, F, H, W]");
            }
            try (Tensor t = f.read(be, name)) {
                return of(be, t);
            }
        }
    }
}
