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
}
