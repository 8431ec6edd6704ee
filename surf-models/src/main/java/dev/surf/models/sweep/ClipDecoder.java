package dev.surf.models.sweep;

import dev.surf.models.api.Latent;
import dev.surf.models.api.SurfEngine;

/**
 * How a prompt-set sweep turns a sampled latent into pixels: the engine's VAE in the study, and in
 * tests a renderer of known frames, so the measurement and the checker's verdicts can be checked
 * where the truth is known.
 */
@FunctionalInterface
public interface ClipDecoder {
    /** The pixels of latent, sampled for sample c. */
    PixelClip decode(Latent latent, SweepCase c);

    /** Decoding with the engine's VAE ({@link SurfEngine#decodePixels}). */
    static ClipDecoder of(SurfEngine engine) {
        if (!engine.hasVae()) {
            throw new IllegalArgumentException("the prompt-set sweep decodes to pixels: the engine needs a VAE");
        }
        return (latent, c) -> {
            int[] s = engine.pixelShape(latent);
            return new PixelClip(engine.decodePixels(latent), s[1], s[2], s[3]);
        };
    }
}
