package dev.surf.models.wan;

import dev.surf.core.Tensor;

/**
 * Receives named intermediate activations during a forward pass, for conformance tests and
 * debugging. Names follow the fixture files: "patch", "e", "e0", "context_emb", "block{i}.self_attn",
 * "block{i}.cross_attn", "block{i}", "head". The tensor is only valid during the call: copy what you keep.
 */
@FunctionalInterface
public interface ActivationProbe {
    void record(String name, Tensor value);
}
