package dev.surf.models.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.surf.core.PhiloxNormal;
import dev.surf.core.ResizeMode;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.testing.Numerics;
import org.junit.jupiter.api.Test;

class NoiseReshiftTest {

    @Test
    void bothFormsFollowTheirFormulas() {
        try (CpuBackend be = new CpuBackend(2)) {
            float[] x0 = Numerics.uniform(new java.util.SplittableRandom(4), 16 * 2 * 8 * 8, 1);
            float sigma = 0.7f;
            try (Tensor t = be.fromFloats(x0, Shape.of(16, 2, 8, 8));
                 Tensor down = be.resize(t, 4, 4, ResizeMode.BILINEAR);
                 Tensor flow = NoiseReshift.apply(be, t, 4, 4, sigma, 77, 3, ReshiftMode.FLOW_CONSISTENT, ResizeMode.BILINEAR);
                 Tensor paper = NoiseReshift.apply(be, t, 4, 4, sigma, 77, 3, ReshiftMode.PAPER_LITERAL, ResizeMode.BILINEAR)) {
                float[] d = be.toFloats(down);
                float[] f = be.toFloats(flow);
                float[] p = be.toFloats(paper);
                for (int i = 0; i < d.length; i++) {
                    float eps = PhiloxNormal.sample(77, 3, i);
                    assertEquals((1 - sigma) * d[i] + sigma * eps, f[i], 1e-6);
                    assertEquals(d[i] + sigma * eps, p[i], 1e-6);
                }
            }
        }
    }

    @Test
    void downscaleIsPerFrameNeverAcrossFrames() {
        try (CpuBackend be = new CpuBackend(1)) {
            float[] x = new float[16 * 3 * 4 * 4];
            for (int c = 0; c < 16; c++) {
                for (int f = 0; f < 3; f++) {
                    for (int i = 0; i < 16; i++) {
                        x[((c * 3) + f) * 16 + i] = 100 * f + c; // constant per (channel, frame)
                    }
                }
            }
            try (Tensor t = be.fromFloats(x, Shape.of(16, 3, 4, 4));
                 Tensor r = NoiseReshift.apply(be, t, 2, 2, 0f, 1, 1, ReshiftMode.FLOW_CONSISTENT, ResizeMode.AREA)) {
                float[] o = be.toFloats(r);
                for (int c = 0; c < 16; c++) {
                    for (int f = 0; f < 3; f++) {
                        for (int i = 0; i < 4; i++) {
                            assertEquals(100 * f + c, o[((c * 3) + f) * 4 + i], 1e-6);
                        }
                    }
                }
            }
        }
    }
}
