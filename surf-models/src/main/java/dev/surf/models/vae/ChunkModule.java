package dev.surf.models.vae;

import dev.surf.core.Backend;
import dev.surf.core.Tensor;

/** A decoder module applied to one chunk of frames with the shared time cache. */
interface ChunkModule {
    /** x [C, n, H, W] -> a new tensor; x stays owned by the caller. */
    Tensor apply(Backend be, Tensor x, TimeCache cache);
}
