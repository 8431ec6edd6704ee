package dev.surf.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** The by-value kernel parameter structs must follow C layout rules exactly. */
class ParamStructTest {

    @Test
    void fieldsAreNaturallyAlignedAndTheTotalPaddedToEight() {
        ParamStruct p = new ParamStruct().i32(7).ptr(0x1122334455667788L).f32(1.5f).i32(-1).i64(42).i32(3);
        byte[] b = p.bytes(40);
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(7, bb.getInt(0));
        assertEquals(0x1122334455667788L, bb.getLong(8), "pointer aligned to 8 after an int");
        assertEquals(1.5f, bb.getFloat(16));
        assertEquals(-1, bb.getInt(20));
        assertEquals(42L, bb.getLong(24));
        assertEquals(3, bb.getInt(32));
    }

    @Test
    void aSizeMismatchFailsLoudly() {
        assertThrows(IllegalStateException.class, () -> new ParamStruct().i32(1).bytes(16));
    }

    @Test
    void epilogueParamsMatchTheCudaStaticAssert() {
        // EpilogueParams: 3 pointers, 1 long long, 6 ints = 56 bytes (static_assert in cuda/epilogue.cuh)
        ParamStruct p = new ParamStruct().ptr(1).ptr(2).ptr(3).i64(4);
        for (int i = 0; i < 6; i++) {
            p.i32(i);
        }
        assertEquals(56, p.bytes(56).length);
    }

    @Test
    void tensorMapBlocksAlignTo64AndPadTheStruct() {
        // WgAttnParams of cuda/attention_wgmma.cu: 3 maps of 128 bytes, 4 pointers, 4 ints, 1 float = 448
        byte[] map = new byte[TensorMaps.BYTES];
        map[0] = 5;
        ParamStruct p = new ParamStruct().block(map, 64).block(map, 64).block(map, 64);
        p.ptr(1).ptr(2).ptr(3).ptr(4).i32(1).i32(2).i32(3).i32(4).f32(0.5f);
        byte[] b = p.bytes(448);
        assertEquals(5, b[256]);
        assertEquals(1L, ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(384));
        // a block after an int starts at the next multiple of 64
        byte[] c = new ParamStruct().i32(9).block(map, 64).i32(1).bytes(256);
        assertEquals(5, c[64]);
        // GemmTmaParams of cuda/gemm_persistent.cu: 2 maps, then EpilogueParams (56), M, N, K = 384
        ParamStruct g = new ParamStruct().block(map, 64).block(map, 64).ptr(1).ptr(2).ptr(3).i64(4);
        for (int i = 0; i < 6; i++) {
            g.i32(i);
        }
        g.i32(1).i32(2).i32(3);
        assertEquals(384, g.bytes(384).length);
    }
}
