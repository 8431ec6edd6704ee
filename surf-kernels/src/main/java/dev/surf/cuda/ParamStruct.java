package dev.surf.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Packs a kernel parameter struct passed by value, with the C layout rules of the x86-64 / CUDA ABI:
 * every field aligned to its own size, the total padded to the largest alignment (8, or 64 once a
 * {@link #block} such as a TMA tensor map is in the struct). Fields must
 * be appended in the declaration order of the matching struct in cuda/; {@link #bytes(int)} checks
 * the total against the size the kernel file asserts, so a missing or extra field fails loudly.
 */
final class ParamStruct {
    private final ByteBuffer buf = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
    private int maxAlign = 8;

    private void align(int a) {
        while (buf.position() % a != 0) {
            buf.put((byte) 0);
        }
    }

    /** A device pointer (8 bytes); 0 is null. */
    ParamStruct ptr(long address) {
        align(8);
        buf.putLong(address);
        return this;
    }

    /** A long long. */
    ParamStruct i64(long v) {
        align(8);
        buf.putLong(v);
        return this;
    }

    ParamStruct i32(int v) {
        align(4);
        buf.putInt(v);
        return this;
    }

    ParamStruct f32(float v) {
        align(4);
        buf.putFloat(v);
        return this;
    }

    /** Opaque bytes aligned to {@code alignment} (a CUtensorMap: 128 bytes, alignas(64)). */
    ParamStruct block(byte[] data, int alignment) {
        align(alignment);
        maxAlign = Math.max(maxAlign, alignment);
        buf.put(data);
        return this;
    }

    /** Current size in bytes before final padding (for tests of the layout). */
    int position() {
        return buf.position();
    }

    /** The packed struct, padded to its alignment; fails unless it is exactly {@code expectedSize} bytes. */
    byte[] bytes(int expectedSize) {
        align(maxAlign);
        if (buf.position() != expectedSize) {
            throw new IllegalStateException("kernel parameter struct packs to " + buf.position()
                    + " bytes but the kernel expects " + expectedSize);
        }
        byte[] out = new byte[buf.position()];
        buf.flip();
        buf.get(out);
        return out;
    }
}
