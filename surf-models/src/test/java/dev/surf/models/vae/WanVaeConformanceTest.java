package dev.surf.models.vae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.safetensors.SafetensorsFile;
import dev.surf.core.testing.Fixtures;
import dev.surf.core.testing.Numerics;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * shared/conformance/wan-vae-tiny (the official WanVAE_ decoder with dim 8 on random weights, F32 on
 * the CPU): the raw decoder output and the clamped video within 1e-4 relative error.
 */
class WanVaeConformanceTest {
    private static final double TOL = 1e-4;
    private static CpuBackend be;
    private static WanVaeDecoder vae;
    private static SafetensorsFile cases;

    @BeforeAll
    static void load() throws Exception {
        be = new CpuBackend(2);
        vae = VaeCheckpoint.load(Fixtures.path("wan-vae-tiny.safetensors"), Fixtures.path("wan-vae-tiny.json"), be);
        cases = SafetensorsFile.open(Fixtures.path("wan-vae-tiny-cases.safetensors"));
    }

    @AfterAll
    static void close() {
        vae.close();
        cases.close();
        be.close();
    }

    static Tensor fixture(SafetensorsFile f, String name) throws Exception {
        return f.read(be, name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "b"})
    void rawOutputAndVideoMatchTheOfficialDecoder(String c) throws Exception {
        try (Tensor z = fixture(cases, c + ".z"); Tensor rawRef = fixture(cases, c + ".raw");
             Tensor videoRef = fixture(cases, c + ".video")) {
            long start = System.nanoTime();
            List<Integer> chunkFrames = new ArrayList<>();
            try (Tensor raw = vae.decodeAll(z, false)) {
                double ms = (System.nanoTime() - start) / 1e6;
                assertEquals(rawRef.shape(), raw.shape());
                assertEquals(vae.config().outputFrames(z.dim(1)), raw.dim(1));
                double err = Numerics.relError(be.toFloats(raw), be.toFloats(rawRef));
                System.out.printf("case %s raw   rel. error %.2e (decode %.1f ms)%n", c, err, ms);
                assertTrue(err <= TOL, "case " + c + ": raw relative error " + err + " > " + TOL);
            }
            try (Tensor video = vae.decodeAll(z, true)) {
                double err = Numerics.relError(be.toFloats(video), be.toFloats(videoRef));
                System.out.printf("case %s video rel. error %.2e%n", c, err);
                assertTrue(err <= TOL, "case " + c + ": video relative error " + err + " > " + TOL);
            }
            vae.decode(z, (frames, first) -> chunkFrames.add(frames.dim(1)));
            assertEquals(1, chunkFrames.get(0));
            for (int i = 1; i < chunkFrames.size(); i++) {
                assertEquals(4, chunkFrames.get(i), "every later latent frame gives 4 video frames");
            }
        }
    }
}
