package dev.surf.models.vae.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.models.api.TinyModels;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The VAE's training init: gains 1, LeCun-normal kernels, and with zero branches exactly the branch outputs at zero. */
class VaeInitTest {
    @Test
    void zeroBranchesZeroExactlyTheBranchOutputs() throws Exception {
        int zeroed = 0;
        try (CpuBackend be = new CpuBackend(1)) {
            Map<String, Shape> shapes = VaeParameterShapes.of(TinyModels.VAE, be);
            VaeInit plain = new VaeInit(3);
            VaeInit zero = new VaeInit(3, true);
            for (Map.Entry<String, Shape> e : shapes.entrySet()) {
                String name = e.getKey();
                try (Tensor a = plain.load(be, name, e.getValue(), null); Tensor b = zero.load(be, name, e.getValue(), null)) {
                    float[] x = be.toFloats(a);
                    float[] y = be.toFloats(b);
                    boolean branch = name.matches(".*\\.residual\\.6\\.(weight|bias)") || name.matches(".*\\.proj\\.(weight|bias)");
                    if (branch) {
                        zeroed++;
                        assertArrayEquals(new float[y.length], y, name + " starts at zero");
                        assertFalse(allZero(x), name + " is random in the plain init");
                    } else {
                        assertArrayEquals(x, y, name + " is the plain init");
                    }
                    if (name.endsWith(".gamma")) {
                        for (float v : y) {
                            assertEquals(1f, v, name);
                        }
                    }
                }
            }
        }
        // the tiny VAE: 10 residual blocks in the encoder and 14 in the decoder (middles included), one attention block in each
        // middle, each with a weight and a bias
        assertEquals(2 * (10 + 14 + 2), zeroed);
        assertTrue(new VaeInit(3, true).describe().contains("residual branches"));
    }

    private static boolean allZero(float[] v) {
        for (float x : v) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }
}
