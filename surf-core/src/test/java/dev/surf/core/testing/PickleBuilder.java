package dev.surf.core.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes pickle opcodes byte by byte, for tests of the restricted unpickler: well-formed torch state
 * dicts as torch.save emits them, and hostile or broken ones that real files must never contain.
 */
public final class PickleBuilder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public PickleBuilder op(int code) {
        out.write(code);
        return this;
    }

    public PickleBuilder raw(byte... b) {
        out.writeBytes(b);
        return this;
    }

    public PickleBuilder proto(int p) {
        return op(0x80).op(p);
    }

    /** GLOBAL "module\nname\n". */
    public PickleBuilder global(String module, String name) {
        op('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** BINUNICODE (4-byte length). */
    public PickleBuilder str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        op('X');
        le(b.length, 4);
        out.writeBytes(b);
        return this;
    }

    /** SHORT_BINUNICODE (protocol 4). */
    public PickleBuilder shortStr(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        op(0x8c).op(b.length);
        out.writeBytes(b);
        return this;
    }

    /** The smallest integer opcode torch's pickler would pick: BININT1, BININT2, BININT or LONG1. */
    public PickleBuilder integer(long v) {
        if (v >= 0 && v < 256) {
            return op('K').op((int) v);
        }
        if (v >= 0 && v < 65536) {
            op('M');
            le(v, 2);
            return this;
        }
        if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            op('J');
            le(v, 4);
            return this;
        }
        op(0x8a).op(8);
        le(v, 8);
        return this;
    }

    public PickleBuilder mark() {
        return op('(');
    }

    public PickleBuilder tuple() {
        return op('t');
    }

    /** A tuple of small integers as torch writes sizes and strides (TUPLE1..3, else MARK ... TUPLE). */
    public PickleBuilder intTuple(long... v) {
        if (v.length == 0) {
            return op(')');
        }
        if (v.length > 3) {
            mark();
        }
        for (long x : v) {
            integer(x);
        }
        return v.length > 3 ? tuple() : op(0x84 + v.length);
    }

    /** BINPUT, or LONG_BINPUT from memo slot 256 on (as the pickler does). */
    public PickleBuilder binput(int i) {
        if (i < 256) {
            return op('q').op(i);
        }
        op('r');
        le(i, 4);
        return this;
    }

    /** BINGET, or LONG_BINGET from memo slot 256 on. */
    public PickleBuilder binget(int i) {
        if (i < 256) {
            return op('h').op(i);
        }
        op('j');
        le(i, 4);
        return this;
    }

    public PickleBuilder reduce() {
        return op('R');
    }

    public PickleBuilder stop() {
        return op('.');
    }

    private void le(long v, int n) {
        for (int i = 0; i < n; i++) {
            out.write((int) (v >>> (8 * i)) & 0xff);
        }
    }

    public byte[] bytes() {
        return out.toByteArray();
    }
}
