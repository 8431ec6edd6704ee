package dev.surf.models.refiner.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Backend;
import dev.surf.core.PhiloxNormal;
import dev.surf.core.ResizeMode;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.models.api.TextEmbedding;
import dev.surf.models.api.TinyModels;
import dev.surf.models.train.TrainingData;
import dev.surf.models.vae.WanVaeEncoder;
import dev.surf.models.weights.RandomWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Refiner's training pairs against their definitions, written out here with the encoder and the backend's ops. */
class RefinerDataTest {
    private static final int W = 32;
    private static final int H = 32;
    private static final RefinerData.Settings SETTINGS = new RefinerData.Settings(W, H, 16, 16, 0.1, 77);

    @TempDir
    Path dir;

    private static TextEmbedding standIn(String caption) {
        return TextEmbedding.standIn(caption, TinyModels.REFINER.arch().textDim(), TinyModels.REFINER.arch().textLen());
    }

    private static WanVaeEncoder tinyVae(Backend be) throws IOException {
        return WanVaeEncoder.load(new RandomWeights(TinyModels.VAE_SEED), be, TinyModels.VAE);
    }

    private List<TrainingClips.Clip> folder() throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        MovingShapes.writeTensor(data, "a", 1, 21, W, H);       // 2 clips of 9, three frames left over
        MovingShapes.writeFrames(data, "b", 2, 9, W, H);        // 1 clip
        Files.writeString(data.resolve("b.txt"), "  a red disc  \n");
        return TrainingClips.scan(data, 9, W, H, null);
    }

    @Test
    void aFolderIsCutIntoClipsWithTheirSidecarCaptions() throws Exception {
        List<TrainingClips.Clip> clips = folder();
        assertEquals(3, clips.size());
        assertEquals("a.safetensors@0", clips.get(0).id());
        assertEquals(9, clips.get(1).first());
        assertEquals("", clips.get(0).caption());
        assertEquals("a red disc", clips.get(2).caption());
        // the second clip is frames 9..17 of the video, as rendered
        float[] whole = MovingShapes.render(1, 21, W, H);
        float[] clip = TrainingClips.read(clips.get(1), W, H, null);
        int plane = W * H;
        for (int c = 0; c < 3; c++) {
            for (int f = 0; f < 9; f++) {
                for (int i = 0; i < plane; i++) {
                    assertEquals(whole[(c * 21 + 9 + f) * plane + i], clip[(c * 9 + f) * plane + i], 0f);
                }
            }
        }
        IOException none = assertThrows(IOException.class, () -> TrainingClips.scan(dir.resolve("data"), 25, W, H, null));
        assertTrue(none.getMessage().contains("no video has the 25 frames"), none.getMessage());
    }

    @Test
    void pairsAreTheEncodedHrAndTheUpscaledNoisyEncodedLr() throws Exception {
        List<TrainingClips.Clip> clips = folder();
        try (Backend be = new CpuBackend(2); WanVaeEncoder vae = tinyVae(be)) {
            RefinerData data = new RefinerData(clips, new int[] {0, 1, 2}, vae, MovingShapes.BOX_DOWNSCALE, SETTINGS, null, null,
                    RefinerDataTest::standIn);
            try (TrainingData.Example ex = data.get(1, be)) {
                float[] hr = TrainingClips.read(clips.get(1), W, H, null);
                float[] zHr;
                try (Tensor v = be.fromFloats(hr, Shape.of(3, 9, H, W)); Tensor z = vae.encode(v)) {
                    zHr = be.toFloats(z);
                    assertEquals(Shape.of(16, 3, 4, 4), z.shape());
                }
                assertArrayEquals(zHr, be.toFloats(ex.latent()), 0f);
                float[] lr = MovingShapes.BOX_DOWNSCALE.degrade(hr, 9, H, W, 16, 16, 1);
                float[] zLr;
                try (Tensor v = be.fromFloats(lr, Shape.of(3, 9, 16, 16)); Tensor z = vae.encode(v)) {
                    float[] small = be.toFloats(z);
                    float[] noise = new float[small.length];
                    PhiloxNormal.fill(77, RefinerData.NOISE_STREAM + 1, 0, noise, 0, noise.length);
                    for (int i = 0; i < small.length; i++) {
                        small[i] = small[i] + 0.1f * noise[i];
                    }
                    try (Tensor s = be.fromFloats(small, z.shape()); Tensor up = be.resize(s, 4, 4, ResizeMode.BILINEAR)) {
                        zLr = be.toFloats(up);
                    }
                }
                assertArrayEquals(zLr, be.toFloats(ex.source()), 1e-6f);
                assertEquals(data.context("").rows(), ex.context().dim(0));
            }
        }
    }

    @Test
    void aShorterStageIsTheLatentOfTheFirstFramesBecauseTheEncoderIsCausal() throws Exception {
        List<TrainingClips.Clip> clips = folder();
        try (Backend be = new CpuBackend(2); WanVaeEncoder vae = tinyVae(be)) {
            RefinerData data = new RefinerData(clips, new int[] {0, 1, 2}, vae, MovingShapes.BOX_DOWNSCALE, SETTINGS, null, null,
                    RefinerDataTest::standIn);
            data.useFrames(5);
            float[] hr = TrainingClips.read(clips.get(0), W, H, null);
            try (TrainingData.Example ex = data.get(0, be); Tensor all = be.fromFloats(hr, Shape.of(3, 9, H, W));
                 Tensor first5 = be.narrow(all, 1, 0, 5); Tensor z = vae.encode(first5)) {
                assertEquals(Shape.of(16, 2, 4, 4), ex.latent().shape());
                assertArrayEquals(be.toFloats(z), be.toFloats(ex.latent()), 1e-5f);
                assertEquals(ex.latent().shape(), ex.source().shape());
            }
            assertThrows(IllegalArgumentException.class, () -> data.useFrames(13));
            assertThrows(IllegalArgumentException.class, () -> data.useFrames(4));
        }
    }

    @Test
    void hrLatentsAreCachedOnDiskAndReadBackByTheNextRun() throws Exception {
        List<TrainingClips.Clip> clips = folder();
        Path cache = dir.resolve("out/cache");
        try (Backend be = new CpuBackend(2); WanVaeEncoder vae = tinyVae(be)) {
            RefinerData first = new RefinerData(clips, new int[] {0, 1, 2}, vae, MovingShapes.BOX_DOWNSCALE, SETTINGS, cache, null,
                    RefinerDataTest::standIn);
            float[] a;
            try (TrainingData.Example ex = first.get(2, be)) {
                a = be.toFloats(ex.latent());
            }
            try (TrainingData.Example ex = first.get(2, be)) {
                assertArrayEquals(a, be.toFloats(ex.latent()), 0f);
            }
            assertEquals(1, first.encodes(), "the second get comes from memory");
            try (Stream<Path> files = Files.list(cache)) {
                List<String> names = files.map(p -> p.getFileName().toString()).toList();
                assertEquals(List.of("b-0-9f-32x32.safetensors"), names, "one file, no temporary left");
            }
            RefinerData second = new RefinerData(clips, new int[] {0, 1, 2}, vae, MovingShapes.BOX_DOWNSCALE, SETTINGS, cache, null,
                    RefinerDataTest::standIn);
            try (TrainingData.Example ex = second.get(2, be)) {
                assertArrayEquals(a, be.toFloats(ex.latent()), 0f);
            }
            assertEquals(0, second.encodes(), "z_hr read from the cache");
            // another HR size is another key: not read from this file
            RefinerData other = new RefinerData(clips, new int[] {0, 1, 2}, vae, MovingShapes.BOX_DOWNSCALE,
                    new RefinerData.Settings(16, 16, 8, 8, 0.1, 77), cache, null, RefinerDataTest::standIn);
            other.get(2, be).close();
            assertEquals(1, other.encodes());
        }
    }
}
