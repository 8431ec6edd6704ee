package dev.surf.models.vae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.testing.CountingBackend;
import dev.surf.core.testing.Fixtures;
import dev.surf.core.testing.Numerics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Spatial tiling: the grid and its weights (exact properties), tiled against untiled encode and decode
 * of the tiny random-weight VAE within the bound documented in docs/vae.md, and the peak of live
 * memory (backend tensors plus the host accumulator) below the untiled one at a size where it matters.
 */
class TiledVaeTest {
    /** Documented bound on tiled vs untiled relative error for the tiny random VAE (docs/vae.md, "Tiling"). */
    static final double DECODE_BOUND = 0.2;
    static final double ENCODE_BOUND = 0.08;
    private static CpuBackend cpu;
    private static final Path DEC = Fixtures.path("wan-vae-tiny.safetensors");
    private static final Path ENC = Fixtures.path("wan-vae-enc-tiny.safetensors");

    @BeforeAll
    static void open() {
        cpu = new CpuBackend(2);
    }

    @AfterAll
    static void close() {
        cpu.close();
    }

    @Test
    void neighboursOverlapExactlyAndWeightsSumToOne() {
        for (int[] c : new int[][] {{100, 32, 8}, {33, 32, 8}, {12, 8, 2}, {7, 8, 2}, {61, 9, 3}, {40, 10, 0}}) {
            TileGrid g = TileGrid.of(c[0], c[1], c[2]);
            assertEquals(0, g.starts()[0]);
            assertEquals(c[0], g.starts()[g.count() - 1] + g.sizes()[g.count() - 1], "the last tile ends at the edge");
            for (int k = 0; k < g.count(); k++) {
                assertTrue(g.sizes()[k] <= c[1] && g.sizes()[k] >= 2 * c[2], "size of tile " + k);
                if (k > 0) {
                    assertEquals(c[2], g.starts()[k - 1] + g.sizes()[k - 1] - g.starts()[k], "overlap of " + k);
                }
            }
            for (int scale : new int[] {1, 8}) {
                double[] sum = new double[c[0] * scale];
                for (int k = 0; k < g.count(); k++) {
                    float[] w = g.weights(k, scale);
                    for (int i = 0; i < w.length; i++) {
                        sum[g.starts()[k] * scale + i] += w[i];
                    }
                }
                for (int i = 0; i < sum.length; i++) {
                    assertEquals(1.0, sum[i], 1e-6, "weights at " + i + " of " + java.util.Arrays.toString(c));
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> TileGrid.of(40, 9, 4));
        assertThrows(IllegalArgumentException.class, () -> new VaeTiling(8, 3));
    }

    private static float[] latent(int t, int h, int w) {
        return Numerics.uniform(new SplittableRandom(h * 31 + w), 16 * t * h * w, 2.0);
    }

    private static Tensor tiledDecode(WanVaeDecoder vae, Tensor z, VaeTiling tiling) throws Exception {
        List<Tensor> parts = new ArrayList<>();
        TiledVae.decode(vae, z, tiling, (f, first) -> parts.add(cpu.convert(f, dev.surf.core.DType.F32)), true);
        try {
            return cpu.concat(1, parts.toArray(Tensor[]::new));
        } finally {
            parts.forEach(Tensor::close);
        }
    }

    @Test
    void tiledDecodeIsCloseToUntiledAndExactWithOneTile() throws Exception {
        try (WanVaeDecoder vae = VaeCheckpoint.load(DEC, null, cpu);
             Tensor z = cpu.fromFloats(latent(2, 16, 32), Shape.of(16, 2, 16, 32));
             Tensor whole = vae.decodeAll(z, true);
             Tensor tiled = tiledDecode(vae, z, new VaeTiling(16, 4));
             Tensor one = tiledDecode(vae, z, new VaeTiling(32, 4))) {
            assertEquals(whole.shape(), tiled.shape());
            assertArrayEquals(cpu.toFloats(whole), cpu.toFloats(one), "a single tile is the untiled decode");
            double err = Numerics.relError(cpu.toFloats(tiled), cpu.toFloats(whole));
            System.out.printf("tiled decode (16/4 latent over 16x32) vs untiled: rel. error %.3e%n", err);
            assertTrue(err <= DECODE_BOUND, "tiled decode differs by " + err);
        }
    }

    @Test
    void tiledEncodeIsCloseToUntiledAndExactWithOneTile() throws Exception {
        float[] v = Numerics.uniform(new SplittableRandom(2), 3 * 5 * 128 * 320, 1.0);
        try (WanVaeEncoder vae = VaeCheckpoint.loadEncoder(ENC, null, cpu);
             Tensor video = cpu.fromFloats(v, Shape.of(3, 5, 128, 320));
             Tensor whole = vae.encode(video);
             Tensor tiled = TiledVae.encode(vae, video, new VaeTiling(16, 4));
             Tensor one = TiledVae.encode(vae, video, new VaeTiling(40, 4))) {
            assertEquals(whole.shape(), tiled.shape());
            assertArrayEquals(cpu.toFloats(whole), cpu.toFloats(one), "a single tile is the untiled encode");
            double err = Numerics.relError(cpu.toFloats(tiled), cpu.toFloats(whole));
            System.out.printf("tiled encode (16/4 latent over 16x40) vs untiled: rel. error %.3e%n", err);
            assertTrue(err <= ENCODE_BOUND, "tiled encode differs by " + err);
        }
    }

    @Test
    void tiledDecodePeakMemoryIsBelowUntiled() throws Exception {
        int t = 2;
        int h = 24;
        int w = 24;
        CountingBackend be = new CountingBackend(cpu);
        try (WanVaeDecoder vae = VaeCheckpoint.load(DEC, null, be);
             Tensor z = be.fromFloats(latent(t, h, w), Shape.of(16, t, h, w))) {
            long before = be.liveBytes();
            be.resetPeak();
            vae.decode(z, (f, first) -> { });
            long untiled = be.peakBytes() - before;
            be.resetPeak();
            TiledVae.decode(vae, z, new VaeTiling(8, 2), (f, first) -> { }, true);
            long host = 4L * 3 * vae.config().outputFrames(t) * (8L * h) * (8L * w);
            long tiled = be.peakBytes() - before + host;
            System.out.printf("decode %dx%d px, %d frames: peak untiled %d bytes, tiled %d (incl. %d host)%n",
                    8 * w, 8 * h, vae.config().outputFrames(t), untiled, tiled, host);
            assertTrue(tiled < untiled / 2, "tiled peak " + tiled + " vs untiled " + untiled);
        }
    }

    @Test
    void tiledEncodePeakMemoryIsBelowUntiled() throws Exception {
        int hw = 192;
        CountingBackend be = new CountingBackend(cpu);
        try (WanVaeEncoder vae = VaeCheckpoint.loadEncoder(ENC, null, be);
             Tensor video = be.fromFloats(Numerics.uniform(new SplittableRandom(4), 3 * 5 * hw * hw, 1.0), Shape.of(3, 5, hw, hw))) {
            long before = be.liveBytes();
            be.resetPeak();
            vae.encode(video).close();
            long untiled = be.peakBytes() - before;
            be.resetPeak();
            TiledVae.encode(vae, video, new VaeTiling(8, 2)).close();
            long host = 4L * 16 * 2 * (hw / 8) * (hw / 8);
            long tiled = be.peakBytes() - before + host;
            System.out.printf("encode %dx%d px, 5 frames: peak untiled %d bytes, tiled %d (incl. %d host)%n",
                    hw, hw, untiled, tiled, host);
            assertTrue(tiled < untiled / 2, "tiled peak " + tiled + " vs untiled " + untiled);
        }
    }
}
