package dev.surf.models.api;

import dev.surf.core.Backend;
import dev.surf.core.PhiloxNormal;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import java.nio.charset.StandardCharsets;

/**
 * Text embedding rows on the host (what the umT5 encoder produces for a prompt, trimmed to the real
 * tokens): values [rows, dim] row-major. Immutable.
 */
public record TextEmbedding(float[] values, int rows, int dim) {

    public TextEmbedding {
        if (rows < 1 || dim < 1 || values == null || values.length != (long) rows * dim) {
            throw new IllegalArgumentException("text embedding must hold rows x dim values with rows, dim >= 1; got "
                    + (values == null ? "null" : values.length + " values") + " for " + rows + "x" + dim);
        }
        values = values.clone();
    }

    @Override
    public float[] values() {
        return values.clone();
    }

    /** Uploads to the backend as F32 [rows, dim]. */
    public Tensor upload(Backend be) {
        return be.fromFloats(values, Shape.of(rows, dim));
    }

    /**
     * A deterministic stand-in for a prompt's embedding when no text encoder is available: one row per
     * whitespace-separated word plus one for EOS (at most maxRows), unit normal values from the Philox
     * stream seeded by a hash of the text. It carries no meaning beyond "different prompts differ".
     */
    public static TextEmbedding standIn(String prompt, int dim, int maxRows) {
        String p = prompt == null ? "" : prompt.trim();
        int words = p.isEmpty() ? 0 : p.split("\\s+").length;
        int rows = Math.max(1, Math.min(maxRows, words + 1));
        long seed = 0x9e3779b97f4a7c15L;
        for (byte b : p.getBytes(StandardCharsets.UTF_8)) {
            seed = (seed ^ (b & 0xff)) * 0x100000001b3L;
        }
        float[] v = new float[rows * dim];
        PhiloxNormal.fill(seed, 7, 0, v, 0, v.length);
        return new TextEmbedding(v, rows, dim);
    }
}
