package dev.surf.models.world.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.models.api.TinyModels;
import dev.surf.models.train.TrainingData;
import dev.surf.models.vae.WanVaeEncoder;
import dev.surf.models.weights.RandomWeights;
import dev.surf.models.world.text.WorldTextEncoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** World latents over a stub clip source with the tiny random VAE: what an example holds, dropout, caching. */
class WorldLatentsTest {
    private static CpuBackend be;
    private static WanVaeEncoder vae;
    private static WorldTextEncoder text;

    @TempDir
    Path dir;

    @BeforeAll
    static void open() throws Exception {
        be = new CpuBackend(2);
        vae = WanVaeEncoder.load(new RandomWeights(TinyModels.VAE_SEED), be, TinyModels.VAE);
        text = WorldTextEncoder.open(be);
    }

    @AfterAll
    static void close() {
        text.close();
        vae.close();
        be.close();
    }

    /** Clips of a bright square sliding right over a dark background, one start column per clip. */
    static final class Squares implements ClipSource {
        final int n;
        final int size;
        final int frames;

        Squares(int n, int size, int frames) {
            this.n = n;
            this.size = size;
            this.frames = frames;
        }

        @Override
        public int size() {
            return n;
        }

        @Override
        public int width() {
            return size;
        }

        @Override
        public int height() {
            return size;
        }

        @Override
        public int frameCount() {
            return frames;
        }

        @Override
        public float[] frames(int index) {
            float[] x = new float[3 * frames * size * size];
            int side = size / 4;
            for (int c = 0; c < 3; c++) {
                for (int f = 0; f < frames; f++) {
                    for (int y = 0; y < size; y++) {
                        for (int xx = 0; xx < size; xx++) {
                            int left = (index * 3 + f) % (size - side);
                            boolean in = xx >= left && xx < left + side && y >= size / 3 && y < size / 3 + side;
                            x[((c * frames + f) * size + y) * size + xx] = in ? (c == index % 3 ? 0.9f : -0.5f) : -0.8f;
                        }
                    }
                }
            }
            return x;
        }

        @Override
        public String caption(int index) {
            return new String[] {"a red square moving right", "a green square moving right", "a blue square moving right"}[index % 3];
        }

        @Override
        public String id(int index) {
            return "squares " + size + " #" + index;
        }
    }

    @Test
    void anExampleIsTheEncodedClipAndItsCaptionEmbedding() throws Exception {
        Squares clips = new Squares(4, 32, 5);
        WorldLatents data = new WorldLatents(clips, vae, text, null);
        assertEquals(Shape.of(16, 2, 4, 4), data.latentShape());
        int i = 1;
        assertFalse(WorldLatents.dropsPrompt(i) && WorldLatents.dropsPrompt(2), "the test needs a conditioned example");
        if (WorldLatents.dropsPrompt(i)) {
            i = 2;
        }
        float[] want;
        try (Tensor video = be.fromFloats(clips.frames(i), Shape.of(3, 5, 32, 32)); Tensor mu = vae.encode(video)) {
            want = be.toFloats(mu);
        }
        try (TrainingData.Example ex = data.get(i, be)) {
            assertEquals(Shape.of(16, 2, 4, 4), ex.latent().shape());
            assertArrayEquals(want, be.toFloats(ex.latent()));
            assertArrayEquals(text.encode(clips.caption(i)).values(), be.toFloats(ex.context()));
            assertEquals(Shape.of(6, 64), ex.context().shape());
            assertNull(ex.source());
        }
        assertEquals(1, data.encodes());
    }

    @Test
    void theSameIndexGivesTheSameBytes() {
        Squares clips = new Squares(3, 32, 5);
        WorldLatents a = new WorldLatents(clips, vae, text, null);
        WorldLatents b = new WorldLatents(clips, vae, text, null);
        for (int i = 0; i < 3; i++) {
            try (TrainingData.Example x = a.get(i, be); TrainingData.Example y = a.get(i, be); TrainingData.Example z = b.get(i, be)) {
                assertArrayEquals(be.toFloats(x.latent()), be.toFloats(y.latent()));
                assertArrayEquals(be.toFloats(x.latent()), be.toFloats(z.latent()));
                assertArrayEquals(be.toFloats(x.context()), be.toFloats(z.context()));
            }
        }
        // different clips give different latents (the stub is not constant)
        assertFalse(java.util.Arrays.equals(a.latent(0), a.latent(1)));
        assertEquals(3, a.encodes());
    }

    @Test
    void tenPercentOfTheExamplesGetTheEmptyPrompt() {
        int dropped = 0;
        Set<Integer> positions = new HashSet<>();
        for (int block = 0; block < 1000; block++) {
            int inBlock = 0;
            for (int j = 0; j < 10; j++) {
                if (WorldLatents.dropsPrompt(block * 10 + j)) {
                    inBlock++;
                    positions.add(j);
                }
            }
            assertEquals(1, inBlock, "block " + block);
            dropped += inBlock;
        }
        assertEquals(1000, dropped);
        assertEquals(10, positions.size(), "the dropped position varies over the blocks");
        assertEquals(WorldLatents.PROMPT_DROPOUT, dropped / 10000.0, 0.0);

        Squares clips = new Squares(10, 16, 1);
        WorldLatents data = new WorldLatents(clips, vae, text, null);
        int d = -1;
        for (int i = 0; i < 10; i++) {
            if (WorldLatents.dropsPrompt(i)) {
                d = i;
            }
        }
        assertEquals("", data.prompt(d));
        try (TrainingData.Example ex = data.get(d, be)) {
            assertEquals(Shape.of(1, 64), ex.context().shape());
            assertArrayEquals(text.encode("").values(), be.toFloats(ex.context()));
        }
        assertEquals(clips.caption((d + 1) % 10), data.prompt((d + 1) % 10));
    }

    @Test
    void theCacheFolderServesALaterRunOfTheSameVae() throws Exception {
        Squares clips = new Squares(2, 32, 5);
        Path cache = dir.resolve("cache");
        WorldLatents first = new WorldLatents(clips, vae, text, cache);
        float[] z0 = first.latent(0);
        float[] z1 = first.latent(1);
        assertEquals(2, first.encodes());
        try (var s = Files.list(cache)) {
            assertEquals(2, s.count());
        }
        WorldLatents again = new WorldLatents(clips, vae, text, cache);
        assertArrayEquals(z0, again.latent(0));
        assertArrayEquals(z1, again.latent(1));
        assertEquals(0, again.encodes(), "read from the cache");
        // another VAE does not read the first one's latents
        try (WanVaeEncoder other = WanVaeEncoder.load(new RandomWeights(TinyModels.VAE_SEED + 1), be, TinyModels.VAE)) {
            WorldLatents third = new WorldLatents(clips, other, text, cache);
            assertFalse(java.util.Arrays.equals(z0, third.latent(0)));
            assertEquals(1, third.encodes());
        }
    }

    @Test
    void badClipsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new WorldLatents(new Squares(1, 24, 5), vae, text, null));
        assertTrue(e.getMessage().contains("multiples of 16"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new WorldLatents(new Squares(1, 32, 4), vae, text, null));
        assertTrue(e.getMessage().contains("1 + 4n"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> WorldLatents.dropsPrompt(-1));
    }
}
