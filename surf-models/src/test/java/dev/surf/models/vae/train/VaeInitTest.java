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

    /**
     * The delta init: every chain kernel is, at its current tap (last frame, centre pixel), channel i
     * to channel i mod the input width (or groups averaged where the width shrinks), plus noise far
     * below it; the branches stay zero and the branch inputs LeCun.
     */
    @Test
    void deltaChainKernelsAreIdentitiesAtTheCurrentTap() throws Exception {
        int chains = 0;
        try (CpuBackend be = new CpuBackend(1)) {
            Map<String, Shape> shapes = VaeParameterShapes.of(TinyModels.VAE, be);
            VaeInit delta = new VaeInit(3, true, true);
            VaeInit zero = new VaeInit(3, true);
            for (Map.Entry<String, Shape> e : shapes.entrySet()) {
                String name = e.getKey();
                Shape sh = e.getValue();
                try (Tensor a = delta.load(be, name, sh, null); Tensor b = zero.load(be, name, sh, null)) {
                    float[] v = be.toFloats(a);
                    if (!VaeInit.isChain(name, sh)) {
                        assertArrayEquals(be.toFloats(b), v, name + " is as in the zero-branch init");
                        continue;
                    }
                    chains++;
                    assertFalse(name.contains(".residual.") || name.contains(".proj.") || name.contains(".to_qkv."), name);
                    int out = sh.dim(0);
                    int in = sh.dim(1);
                    int taps = (int) (sh.numel() / ((long) out * in));
                    int kt = sh.rank() == 5 ? sh.dim(2) : 1;
                    int kh = sh.dim(sh.rank() - 2);
                    int kw = sh.dim(sh.rank() - 1);
                    int centre = ((kt - 1) * kh + kh / 2) * kw + kw / 2;
                    double bound = 6 * 0.1 / Math.sqrt((double) in * taps);
                    for (int o = 0; o < out; o++) {
                        for (int i = 0; i < in; i++) {
                            for (int k = 0; k < taps; k++) {
                                double want = k != centre ? 0 : out >= in ? (o % in == i ? 1 : 0) : (i % out == o ? (double) out / in : 0);
                                double got = v[(o * in + i) * taps + k];
                                assertEquals(want, got, bound, name + " [" + o + ", " + i + ", tap " + k + "]");
                            }
                        }
                    }
                }
            }
        }
        // conv1 and conv2, the encoder's and decoder's conv1 and head convs, resample and time convs, 1x1 shortcuts
        assertTrue(chains >= 10, "chain kernels: " + chains);
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
