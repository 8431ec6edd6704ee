package dev.surf.models.vae.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.grad.Tape;
import dev.surf.core.grad.Variable;
import dev.surf.core.testing.Numerics;
import dev.surf.models.api.TinyModels;
import dev.surf.models.vae.WanVaeConfig;
import dev.surf.models.vae.WanVaeDecoder;
import dev.surf.models.vae.WanVaeEncoder;
import dev.surf.models.weights.RandomWeights;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The taped Wan-VAE against the streaming inference encoder and decoder (themselves conformance-tested
 * against the official VAE): the same outputs on random weights, for clips of 1, 5 and 9 frames.
 */
class VaeTrainForwardTest {
    private static CpuBackend be;

    @BeforeAll
    static void open() {
        be = new CpuBackend(2);
    }

    @AfterAll
    static void close() {
        be.close();
    }

    /** Every parameter of cfg drawn by RandomWeights(seed), the values the inference loaders get from it. */
    static Map<String, Tensor> randomParameters(Backend be, WanVaeConfig cfg, long seed) throws Exception {
        Map<String, Tensor> p = new TreeMap<>();
        try (RandomWeights w = new RandomWeights(seed)) {
            for (Map.Entry<String, Shape> e : VaeParameterShapes.of(cfg, be).entrySet()) {
                p.put(e.getKey(), w.load(be, e.getKey(), e.getValue(), DType.F32));
            }
        }
        return p;
    }

    static void closeAll(Map<String, Tensor> p) {
        p.values().forEach(Tensor::close);
    }

    private static Tensor video(int t, int h, int w, long seed) {
        return be.fromFloats(Numerics.uniform(new SplittableRandom(seed), 3 * t * h * w, 1.0), Shape.of(3, t, h, w));
    }

    @Test
    void encoderEqualsTheInferenceEncoder() throws Exception {
        Map<String, Tensor> params = randomParameters(be, TinyModels.VAE, TinyModels.VAE_SEED);
        VaeTrainForward f = new VaeTrainForward(TinyModels.VAE);
        try (WanVaeEncoder enc = WanVaeEncoder.load(new RandomWeights(TinyModels.VAE_SEED), be, TinyModels.VAE)) {
            for (int frames : new int[] {1, 5, 9}) {
                try (Tensor x = video(frames, 16, 24, frames); Tensor expected = enc.encode(x); Tape tape = new Tape(be)) {
                    Variable mu = f.encode(new VaeTapeParams(tape, params, n -> false), tape.constant(x));
                    assertEquals(expected.shape(), mu.shape());
                    Numerics.assertClose("encoder, " + frames + " frames", be.toFloats(mu.value()), be.toFloats(expected), 1e-5);
                }
            }
        } finally {
            closeAll(params);
        }
    }

    @Test
    void decoderEqualsTheInferenceDecoder() throws Exception {
        Map<String, Tensor> params = randomParameters(be, TinyModels.VAE, TinyModels.VAE_SEED + 1);
        VaeTrainForward f = new VaeTrainForward(TinyModels.VAE);
        try (WanVaeDecoder dec = WanVaeDecoder.load(new RandomWeights(TinyModels.VAE_SEED + 1), be, TinyModels.VAE)) {
            for (int latents : new int[] {1, 2, 3}) {
                Shape zs = Shape.of(16, latents, 2, 3);
                try (Tensor z = be.fromFloats(Numerics.uniform(new SplittableRandom(latents), (int) zs.numel(), 1.5), zs);
                     Tensor expected = dec.decodeAll(z, false); Tape tape = new Tape(be)) {
                    Variable out = f.decode(new VaeTapeParams(tape, params, n -> false), tape.constant(z));
                    assertEquals(expected.shape(), out.shape());
                    Numerics.assertClose("decoder, " + latents + " latent frames", be.toFloats(out.value()), be.toFloats(expected), 1e-5);
                }
            }
        } finally {
            closeAll(params);
        }
    }

}
