package dev.surf.models.sched;

import dev.surf.core.safetensors.SafetensorsFile;
import dev.surf.core.testing.Fixtures;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** F32 tensors and metadata of a conformance fixture, read through the engine's safetensors reader. */
final class FixtureReader {
    private final SafetensorsFile file;

    private FixtureReader(SafetensorsFile file) {
        this.file = file;
    }

    /** Opens conformance/NAME, e.g. "flow-schedulers.safetensors". */
    static FixtureReader resource(String name) throws IOException {
        return new FixtureReader(SafetensorsFile.open(Fixtures.path(name)));
    }

    /** A string entry of the {@code __metadata__} object. */
    String metadata(String key) {
        return file.metadata().getOrDefault(key, "");
    }

    /** The shape of a tensor. */
    int[] shape(String name) {
        return file.info(name).shape().dims();
    }

    /** The elements of an F32 tensor, row-major. */
    float[] floats(String name) {
        var info = file.info(name);
        if (!"F32".equals(info.dtypeName())) {
            throw new IllegalArgumentException(name + " is " + info.dtypeName() + ", not F32");
        }
        try {
            return file.data(name).toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
