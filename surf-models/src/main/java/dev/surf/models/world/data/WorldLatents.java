package dev.surf.models.world.data;

import dev.surf.core.Backend;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.safetensors.SafetensorsFile;
import dev.surf.core.safetensors.SafetensorsWriter;
import dev.surf.models.api.TextEmbedding;
import dev.surf.models.train.TrainingData;
import dev.surf.models.vae.WanVaeEncoder;
import dev.surf.models.world.text.WorldTextEncoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The base DiT's training examples (issue 21): example i is clip i of a {@link ClipSource} encoded by
 * the Wan-VAE encoder to the normalised latent the DiT works on ({@link WanVaeEncoder#encode} returns
 * (mu - mean) / std per channel, what sampling starts its decode from), with its caption's embedding
 * by the {@link WorldTextEncoder}: a flow-matching {@link TrainingData.Example} (noise at s = 1).
 *
 * <p>Prompt dropout for classifier-free guidance: {@link #PROMPT_DROPOUT} (10%) of the examples get the
 * empty prompt's embedding instead of their caption, chosen from the index alone
 * ({@link #dropsPrompt}): exactly one index in every block of ten consecutive ones, at a position
 * scrambled per block, so the dropped clips do not line up with any pattern of the clip numbering.
 * The choice is per example, not per step (the trainer's data interface knows no step): the dropped
 * clips teach the unconditional velocity, the others the conditional one.
 *
 * <p>Caching: a clip's latent is kept in memory after its first encode; with a cache folder it is
 * also written there (one safetensors per clip, atomically) and read back by a later run (a resumed
 * one) whose clip identity, size, length and VAE are the same (the file's metadata says so).
 * Captions' embeddings are computed once per distinct caption.
 *
 * <p>The same index gives the same bytes: the clip, the VAE encode and the text encoder are
 * deterministic on a backend.
 */
public final class WorldLatents implements TrainingData {
    /** The fraction of examples trained on the empty prompt. */
    public static final double PROMPT_DROPOUT = 0.1;
    /** Dropout picks one index per block of this many (1 / PROMPT_DROPOUT). */
    public static final int DROPOUT_BLOCK = 10;

    private final ClipSource clips;
    private final WanVaeEncoder vae;
    private final WorldTextEncoder text;
    private final Path cacheDir;
    private final Shape shape;
    private final Map<Integer, float[]> latents = new HashMap<>();
    private final Map<String, TextEmbedding> contexts = new HashMap<>();
    private int encodes;

    /**
     * @param clips    the clips (width and height multiples of 16: the VAE's stride 8 times the DiT's patch 2)
     * @param vae      the encoder of the VAE the DiT will sample through
     * @param text     the world's text encoder
     * @param cacheDir folder for the latent files, or null for the memory cache only
     */
    public WorldLatents(ClipSource clips, WanVaeEncoder vae, WorldTextEncoder text, Path cacheDir) {
        if (clips.size() < 1) {
            throw new IllegalArgumentException("world latents: the clip source holds no clips");
        }
        if (clips.width() < 16 || clips.height() < 16 || clips.width() % 16 != 0 || clips.height() % 16 != 0) {
            throw new IllegalArgumentException("--size " + clips.width() + "x" + clips.height()
                    + ": width and height must be positive multiples of 16 (VAE stride 8, DiT patch 2)");
        }
        if (clips.frameCount() < 1 || (clips.frameCount() - 1) % 4 != 0) {
            throw new IllegalArgumentException("world latents: clips of " + clips.frameCount() + " frames; the VAE takes 1 + 4n");
        }
        this.clips = clips;
        this.vae = vae;
        this.text = text;
        this.cacheDir = cacheDir;
        this.shape = Shape.of(vae.config().zDim(), vae.config().latentFrames(clips.frameCount()), clips.height() / 8, clips.width() / 8);
    }

    /**
     * True when example {@code index} is trained on the empty prompt: in block k = index / 10 the index
     * at position {@code mix(k) mod 10} (mix: the SplitMix64 finaliser).
     */
    public static boolean dropsPrompt(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("example index must be >= 0, got " + index);
        }
        long z = (index / DROPOUT_BLOCK) + 0x9e3779b97f4a7c15L;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        z ^= z >>> 31;
        return index % DROPOUT_BLOCK == Long.remainderUnsigned(z, DROPOUT_BLOCK);
    }

    @Override
    public int size() {
        return clips.size();
    }

    /** The latent shape of every example: [16, latent frames, height / 8, width / 8]. */
    public Shape latentShape() {
        return shape;
    }

    /** The clips behind the examples. */
    public ClipSource clips() {
        return clips;
    }

    /** The prompt example {@code index} trains on: its caption, or "" when {@link #dropsPrompt} picks it. */
    public String prompt(int index) {
        return dropsPrompt(index) ? "" : clips.caption(index);
    }

    /** How many clips this object VAE-encoded (latents read from the cache folder do not count). */
    public int encodes() {
        return encodes;
    }

    @Override
    public Example get(int index, Backend be) {
        float[] z = latent(index);
        Tensor latent = be.fromFloats(z, shape);
        try {
            return new Example(latent, context(prompt(index)).upload(be));
        } catch (RuntimeException e) {
            latent.close();
            throw e;
        }
    }

    /** The prompt's embedding (computed once per distinct prompt). */
    public TextEmbedding context(String prompt) {
        return contexts.computeIfAbsent(prompt, text::encode);
    }

    /** Clip {@code index}'s normalised latent, host floats in {@link #latentShape} (encoded on first use). */
    public float[] latent(int index) {
        if (index < 0 || index >= clips.size()) {
            throw new IndexOutOfBoundsException("example " + index + " of " + clips.size());
        }
        float[] z = latents.get(index);
        if (z == null) {
            try {
                z = readCache(index);
                if (z == null) {
                    z = encode(index);
                    encodes++;
                    writeCache(index, z);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            latents.put(index, z);
        }
        return z;
    }

    private float[] encode(int index) throws IOException {
        Backend be = vae.backend();
        float[] pixels = clips.frames(index);
        try (Tensor video = be.fromFloats(pixels, Shape.of(3, clips.frameCount(), clips.height(), clips.width()));
             Tensor mu = vae.encode(video)) {
            return be.toFloats(mu);
        }
    }

    // ---------------------------------------------------------------- the latent cache on disk

    private Path cacheFile(int index) {
        return cacheDir.resolve(String.format(java.util.Locale.ROOT, "latent-%06d-%dx%d-%df.safetensors", index, clips.width(),
                clips.height(), clips.frameCount()));
    }

    private Map<String, String> cacheKey(int index) {
        return Map.of("clip", clips.id(index), "size", clips.width() + "x" + clips.height(),
                "frames", Integer.toString(clips.frameCount()), "vae", vae.weights().describe() + " " + vae.config());
    }

    /** The cached latent of the clip, or null when there is none or it belongs to other inputs. */
    private float[] readCache(int index) throws IOException {
        if (cacheDir == null || !Files.isRegularFile(cacheFile(index))) {
            return null;
        }
        try (SafetensorsFile f = SafetensorsFile.open(cacheFile(index))) {
            if (!f.metadata().equals(cacheKey(index)) || !f.has("latent") || !f.info("latent").shape().equals(shape)) {
                return null;
            }
            Backend be = vae.backend();
            try (Tensor t = f.read(be, "latent")) {
                return be.toFloats(t);
            }
        }
    }

    private void writeCache(int index, float[] z) throws IOException {
        if (cacheDir == null) {
            return;
        }
        Files.createDirectories(cacheDir);
        SafetensorsWriter.writeFloats(cacheFile(index), Map.of("latent", z), Map.of("latent", shape), cacheKey(index));
    }
}
