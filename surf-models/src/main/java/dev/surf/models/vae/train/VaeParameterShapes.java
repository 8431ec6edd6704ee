package dev.surf.models.vae.train;

import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.models.vae.WanVaeConfig;
import dev.surf.models.vae.WanVaeDecoder;
import dev.surf.models.vae.WanVaeEncoder;
import dev.surf.models.weights.WeightSource;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every parameter of a Wan-VAE (encoder, {@code conv1}, {@code conv2}, decoder) by official name with
 * its shape, as the inference loaders ask for them: the names are recorded while WanVaeEncoder and
 * WanVaeDecoder load from a source of zeros, so the trained set is by construction the set they
 * read back.
 */
public final class VaeParameterShapes {
    private VaeParameterShapes() {
    }

    /** Name -> shape, sorted by name. */
    public static Map<String, Shape> of(WanVaeConfig config, Backend be) {
        Recorder rec = new Recorder();
        try {
            WanVaeEncoder.load(rec, be, config).close();
            Recorder second = new Recorder();
            WanVaeDecoder.load(second, be, config).close();
            rec.shapes.putAll(second.shapes);
        } catch (IOException e) {
            throw new IllegalStateException("recording the Wan-VAE parameter names failed: " + e.getMessage(), e);
        }
        return rec.shapes;
    }

    /** Hands out zeros of the asked shape and remembers the request. */
    private static final class Recorder implements WeightSource {
        final Map<String, Shape> shapes = new TreeMap<>();

        @Override
        public boolean has(String name) {
            return true;
        }

        @Override
        public Tensor load(Backend be, String name, Shape expected, DType use) {
            shapes.put(name, expected);
            return be.zeros(DType.F32, expected);
        }

        @Override
        public String describe() {
            return "parameter-name recorder";
        }

        @Override
        public boolean isRandom() {
            return true;
        }

        @Override
        public void close() {
        }
    }
}
