package dev.surf.models.vae.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.surf.core.Backend;
import dev.surf.core.Tensor;
import dev.surf.models.vae.WanVaeEncoder;

/** Test check: an encoder's normalised latents of some clips have mean 0 and deviation 1 per channel, computed here in double. */
public final class UnitLatents {
    private UnitLatents() {
    }

    /** Encodes clips 0 .. count-1 whole and asserts every channel's mean 0 and (population) deviation 1 within tol. */
    public static void assertUnit(WanVaeEncoder enc, VaeClips clips, int count, double tol) {
        Backend be = enc.backend();
        double[] sum = new double[16];
        double[] sq = new double[16];
        long per = 0;
        for (int i = 0; i < count; i++) {
            try (Tensor x = clips.frames(i, be); Tensor z = enc.encode(x)) {
                float[] v = be.toFloats(z);
                int each = v.length / 16;
                for (int j = 0; j < v.length; j++) {
                    sum[j / each] += v[j];
                    sq[j / each] += (double) v[j] * v[j];
                }
                per += each;
            }
        }
        for (int c = 0; c < 16; c++) {
            double mean = sum[c] / per;
            assertEquals(0, mean, tol, "channel " + c + " mean");
            assertEquals(1, Math.sqrt(sq[c] / per - mean * mean), tol, "channel " + c + " deviation");
        }
    }
}
