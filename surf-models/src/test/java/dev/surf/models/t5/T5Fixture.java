package dev.surf.models.t5;

import dev.surf.core.safetensors.SafetensorsFile;
import dev.surf.core.testing.Fixtures;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Cases of conformance/t5-tiny-cases.safetensors: ids, mask, and the official encoder's out and context. */
record T5Fixture(int[] ids, int[] mask, float[] out, float[] context, int length, int real) {

    static T5Fixture read(String c) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(Fixtures.path("t5-tiny-cases.safetensors"))) {
            int[] ids = ints(f, c + ".ids");
            int[] mask = ints(f, c + ".mask");
            int real = 0;
            for (int m : mask) {
                real += m;
            }
            return new T5Fixture(ids, mask, floats(f, c + ".out"), floats(f, c + ".context"), ids.length, real);
        }
    }

    private static int[] ints(SafetensorsFile f, String name) throws IOException {
        long[] v = f.data(name).toArray(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Math.toIntExact(v[i]);
        }
        return out;
    }

    private static float[] floats(SafetensorsFile f, String name) throws IOException {
        return f.data(name).toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
    }
}
