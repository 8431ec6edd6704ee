package dev.surf.core.pth;

import dev.surf.core.pth.PickleObjects.Global;
import dev.surf.core.pth.PickleObjects.StorageRef;
import dev.surf.core.pth.PickleObjects.TensorRef;
import dev.surf.core.pth.PickleObjects.Tuple;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pickle interpreter that understands exactly what torch.save writes for a state dict of tensors
 * (protocol 2, plus the framing and short-string opcodes of protocol 4) and nothing more. It never
 * resolves a name to code: the only globals it accepts are the tensor rebuild functions, the storage
 * types and OrderedDict, each turned into a plain data object, and REDUCE/BUILD work only on those.
 * Any other global (os.system, builtins.eval, ...), any object-creating opcode (INST, OBJ, NEWOBJ,
 * EXT*) and any unknown opcode stops reading with a {@link PthException} naming it and its position.
 */
final class RestrictedUnpickler {
    /** Storage types a tensor may live in, by torch class name: safetensors dtype name and element size. */
    static final Map<String, String> STORAGE_DTYPES = Map.ofEntries(
            Map.entry("FloatStorage", "F32"), Map.entry("HalfStorage", "F16"), Map.entry("BFloat16Storage", "BF16"),
            Map.entry("DoubleStorage", "F64"), Map.entry("LongStorage", "I64"), Map.entry("IntStorage", "I32"),
            Map.entry("ShortStorage", "I16"), Map.entry("CharStorage", "I8"), Map.entry("ByteStorage", "U8"),
            Map.entry("BoolStorage", "BOOL"));

    private static final String REBUILD_TENSOR = "torch._utils._rebuild_tensor_v2";
    private static final String REBUILD_PARAMETER = "torch._utils._rebuild_parameter";
    private static final String ORDERED_DICT = "collections.OrderedDict";
    private static final Set<String> CALLABLES = Set.of(REBUILD_TENSOR, REBUILD_PARAMETER, ORDERED_DICT);

    private static final int MAX_STACK = 1 << 24;

    private final Path file;
    private final String entry;
    private final ByteBuffer in;
    private final ArrayList<Object> stack = new ArrayList<>();
    private final ArrayDeque<Integer> marks = new ArrayDeque<>();
    private final Map<Long, Object> memo = new HashMap<>();

    private RestrictedUnpickler(Path file, String entry, byte[] data) {
        this.file = file;
        this.entry = entry;
        this.in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The object pickled in data (the bytes of {@code entry} inside {@code file}, for messages). */
    static Object load(Path file, String entry, byte[] data) throws PthException {
        RestrictedUnpickler u = new RestrictedUnpickler(file, entry, data);
        try {
            return u.run();
        } catch (java.nio.BufferUnderflowException e) {
            throw u.fail("ends in the middle of an opcode (truncated pickle)");
        }
    }

    private Object run() throws PthException {
        while (true) {
            if (!in.hasRemaining()) {
                throw fail("ends without a STOP opcode (truncated pickle)");
            }
            int at = in.position();
            int op = in.get() & 0xff;
            switch (op) {
                case 0x80 -> { // PROTO
                    int proto = u8();
                    if (proto > 5) {
                        throw fail("uses pickle protocol " + proto + ", newer than any torch writes");
                    }
                }
                case 0x95 -> skip(8); // FRAME: a length hint only
                case '.' -> { // STOP
                    if (stack.size() != 1 || !marks.isEmpty()) {
                        throw fail("STOP with " + stack.size() + " values on the stack (corrupt pickle)");
                    }
                    return stack.get(0);
                }
                case '(' -> marks.push(stack.size()); // MARK
                case '}' -> push(new LinkedHashMap<>()); // EMPTY_DICT
                case ']' -> push(new ArrayList<>()); // EMPTY_LIST
                case ')' -> push(new Tuple(List.of())); // EMPTY_TUPLE
                case 't' -> push(new Tuple(popToMark())); // TUPLE
                case 0x85 -> push(tuple(1)); // TUPLE1
                case 0x86 -> push(tuple(2)); // TUPLE2
                case 0x87 -> push(tuple(3)); // TUPLE3
                case 'N' -> push(null); // NONE
                case 0x88 -> push(Boolean.TRUE); // NEWTRUE
                case 0x89 -> push(Boolean.FALSE); // NEWFALSE
                case 'K' -> push((long) u8()); // BININT1
                case 'M' -> push((long) (in.getShort() & 0xffff)); // BININT2
                case 'J' -> push((long) in.getInt()); // BININT
                case 0x8a -> push(long1()); // LONG1
                case 'G' -> push(ByteBuffer.wrap(bytes(8)).order(ByteOrder.BIG_ENDIAN).getDouble()); // BINFLOAT
                case 'X' -> push(utf8(u32len())); // BINUNICODE
                case 0x8c -> push(utf8(u8())); // SHORT_BINUNICODE
                case 'C' -> push(bytes(u8())); // SHORT_BINBYTES
                case 'B' -> push(bytes(u32len())); // BINBYTES
                case 'q' -> memo.put((long) u8(), top()); // BINPUT
                case 'r' -> memo.put(Integer.toUnsignedLong(in.getInt()), top()); // LONG_BINPUT
                case 0x94 -> memo.put((long) memo.size(), top()); // MEMOIZE
                case 'h' -> push(memoGet(u8())); // BINGET
                case 'j' -> push(memoGet(Integer.toUnsignedLong(in.getInt()))); // LONG_BINGET
                case 's' -> { // SETITEM
                    Object v = pop();
                    Object k = pop();
                    dict(top(), "SETITEM").put(key(k, "SETITEM"), v);
                }
                case 'u' -> { // SETITEMS
                    List<Object> kv = popToMark();
                    if (kv.size() % 2 != 0) {
                        throw fail("SETITEMS with an odd number of values");
                    }
                    Map<Object, Object> d = dict(top(), "SETITEMS");
                    for (int i = 0; i < kv.size(); i += 2) {
                        d.put(key(kv.get(i), "SETITEMS"), kv.get(i + 1));
                    }
                }
                case 'a' -> { // APPEND
                    Object v = pop();
                    list(top()).add(v);
                }
                case 'e' -> { // APPENDS
                    List<Object> vs = popToMark();
                    list(top()).addAll(vs);
                }
                case 'c' -> push(global(line(), line(), at)); // GLOBAL
                case 0x93 -> { // STACK_GLOBAL
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw fail("STACK_GLOBAL at byte " + at + " without two strings");
                    }
                    push(global(m, n, at));
                }
                case 'Q' -> push(persistentLoad(pop(), at)); // BINPERSID
                case 'R' -> { // REDUCE
                    Object args = pop();
                    Object fn = pop();
                    push(reduce(fn, args, at));
                }
                case 'b' -> { // BUILD
                    Object state = pop();
                    Object target = top();
                    // OrderedDict state dicts carry {'_metadata': ...} (module versions): harmless, dropped
                    if (!(target instanceof Map) || !(state instanceof Map || state == null)) {
                        throw fail("BUILD at byte " + at + " on a " + typeName(target)
                                + "; a tensor checkpoint only sets attributes of OrderedDicts");
                    }
                }
                default -> throw refuse(op, at);
            }
            if (stack.size() > MAX_STACK) {
                throw fail("pickle stack exceeds " + MAX_STACK + " values (corrupt or hostile file)");
            }
        }
    }

    private Global global(String module, String name, int at) throws PthException {
        String q = module + "." + name;
        boolean storage = module.equals("torch") && STORAGE_DTYPES.containsKey(name);
        if (!storage && !CALLABLES.contains(q)) {
            throw fail("refuses global " + q + " (opcode at byte " + at + "): a tensor checkpoint only names "
                    + REBUILD_TENSOR + ", " + REBUILD_PARAMETER + ", " + ORDERED_DICT
                    + " and torch storage types; loading this file with torch.load(weights_only=False) could run code");
        }
        return new Global(module, name);
    }

    /** ('storage', storage type, key, location, numel): the only persistent id torch.save writes. */
    private StorageRef persistentLoad(Object pid, int at) throws PthException {
        if (pid instanceof Tuple t && t.size() == 5 && "storage".equals(t.get(0)) && t.get(1) instanceof Global g
                && g.module().equals("torch") && STORAGE_DTYPES.containsKey(g.name()) && t.get(2) instanceof String key
                && t.get(3) instanceof String loc && t.get(4) instanceof Long numel && numel >= 0) {
            return new StorageRef(key, g.name(), loc, numel);
        }
        throw fail("persistent id at byte " + at + " is " + describe(pid)
                + ", not ('storage', torch.<Type>Storage, key, location, numel)");
    }

    private Object reduce(Object fn, Object args, int at) throws PthException {
        if (!(fn instanceof Global g) || !CALLABLES.contains(g.qualified())) {
            throw fail("REDUCE at byte " + at + " calls " + describe(fn) + "; only " + CALLABLES + " may be called");
        }
        if (!(args instanceof Tuple a)) {
            throw fail("REDUCE at byte " + at + " with arguments " + describe(args) + " instead of a tuple");
        }
        return switch (g.qualified()) {
            case ORDERED_DICT -> {
                if (a.size() != 0) {
                    throw fail("OrderedDict(...) at byte " + at + " with arguments; torch.save writes OrderedDict()");
                }
                yield new LinkedHashMap<>();
            }
            case REBUILD_PARAMETER -> {
                if (a.size() < 1 || !(a.get(0) instanceof TensorRef t)) {
                    throw fail("_rebuild_parameter at byte " + at + " without a tensor");
                }
                yield t;
            }
            default -> rebuildTensor(a, at);
        };
    }

    /** _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]). */
    private TensorRef rebuildTensor(Tuple a, int at) throws PthException {
        if (a.size() < 4 || !(a.get(0) instanceof StorageRef s) || !(a.get(1) instanceof Long offset)
                || !(a.get(2) instanceof Tuple size) || !(a.get(3) instanceof Tuple stride)) {
            throw fail("_rebuild_tensor_v2 at byte " + at + " with arguments " + describe(a)
                    + "; expected (storage, offset, size, stride, ...)");
        }
        return new TensorRef(s, offset, longs(size, "size", at), longs(stride, "stride", at));
    }

    private long[] longs(Tuple t, String what, int at) throws PthException {
        long[] r = new long[t.size()];
        for (int i = 0; i < r.length; i++) {
            if (!(t.get(i) instanceof Long v)) {
                throw fail("tensor " + what + " at byte " + at + " holds " + describe(t.get(i)) + ", not an integer");
            }
            r[i] = v;
        }
        return r;
    }

    private PthException refuse(int op, int at) {
        String name = switch (op) {
            case 'i' -> "INST (creates an object of any class)";
            case 'o' -> "OBJ (creates an object of any class)";
            case 0x81 -> "NEWOBJ (creates an object of any class)";
            case 0x92 -> "NEWOBJ_EX (creates an object of any class)";
            case 'P' -> "PERSID (text persistent id)";
            case 0x82, 0x83, 0x84 -> "EXT (extension registry global)";
            case 'I', 'L', 'F', 'S', 'T', 'U', 'V', 'p', 'g', 'l', 'd' -> "protocol 0/1 opcode '" + (char) op + "'";
            default -> "unknown";
        };
        return fail(String.format("pickle opcode 0x%02x %s at byte %d is not allowed in a tensor checkpoint", op, name, at));
    }

    private PthException fail(String problem) {
        return new PthException(file, entry + ": " + problem);
    }

    // ---------------------------------------------------------------- stack and input helpers

    private void push(Object o) {
        stack.add(o);
    }

    private Object pop() throws PthException {
        if (stack.isEmpty() || (!marks.isEmpty() && stack.size() <= marks.peek())) {
            throw fail("pops past a MARK or an empty stack at byte " + (in.position() - 1) + " (corrupt pickle)");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object top() throws PthException {
        if (stack.isEmpty()) {
            throw fail("uses an empty stack at byte " + (in.position() - 1) + " (corrupt pickle)");
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popToMark() throws PthException {
        if (marks.isEmpty()) {
            throw fail("needs a MARK at byte " + (in.position() - 1) + " (corrupt pickle)");
        }
        int m = marks.pop();
        List<Object> items = new ArrayList<>(stack.subList(m, stack.size()));
        stack.subList(m, stack.size()).clear();
        return items;
    }

    private Tuple tuple(int n) throws PthException {
        Object[] items = new Object[n];
        for (int i = n - 1; i >= 0; i--) {
            items[i] = pop();
        }
        return new Tuple(Arrays.asList(items));
    }

    /**
     * A dict key as a state dict has them: a string or a number. A container as a key would be hashed
     * recursively, and the memo can make it contain itself (found by PickleFuzzTarget: a stack overflow).
     */
    private Object key(Object k, String op) throws PthException {
        if (k == null || k instanceof String || k instanceof Number || k instanceof Boolean) {
            return k;
        }
        throw fail(op + " with a key of type " + typeName(k) + "; a state dict's keys are strings or numbers");
    }

    private Object memoGet(long key) throws PthException {
        if (!memo.containsKey(key)) {
            throw fail("BINGET of memo slot " + key + " that was never stored (corrupt pickle)");
        }
        return memo.get(key);
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object o, String op) throws PthException {
        if (!(o instanceof Map)) {
            throw fail(op + " on a " + typeName(o) + ", not a dict");
        }
        return (Map<Object, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o) throws PthException {
        if (!(o instanceof ArrayList)) {
            throw fail("APPEND on a " + typeName(o) + ", not a list");
        }
        return (List<Object>) o;
    }

    private int u8() throws PthException {
        need(1);
        return in.get() & 0xff;
    }

    private int u32len() throws PthException {
        need(4);
        long n = Integer.toUnsignedLong(in.getInt());
        if (n > in.remaining()) {
            throw fail("a string of " + n + " bytes runs past the end of the pickle (truncated)");
        }
        return (int) n;
    }

    private long long1() throws PthException {
        int n = u8();
        if (n > 8) {
            throw fail("an integer of " + n + " bytes is larger than any size a tensor needs");
        }
        byte[] b = bytes(n);
        long v = 0;
        for (int i = n - 1; i >= 0; i--) {
            v = (v << 8) | (b[i] & 0xff);
        }
        if (n > 0 && n < 8 && (b[n - 1] & 0x80) != 0) {
            v -= 1L << (8 * n); // two's complement sign
        }
        return v;
    }

    private byte[] bytes(int n) throws PthException {
        need(n);
        byte[] b = new byte[n];
        in.get(b);
        return b;
    }

    private String utf8(int n) throws PthException {
        return new String(bytes(n), StandardCharsets.UTF_8);
    }

    /** A GLOBAL argument: text up to a newline. */
    private String line() throws PthException {
        int start = in.position();
        for (int p = start; p < in.limit() && p - start <= 256; p++) {
            if (in.get(p) == '\n') {
                in.position(p + 1);
                return new String(in.array(), start, p - start, StandardCharsets.UTF_8);
            }
        }
        throw fail("GLOBAL name at byte " + start + " has no newline within 256 bytes (truncated or corrupt pickle)");
    }

    private void skip(int n) throws PthException {
        need(n);
        in.position(in.position() + n);
    }

    private void need(int n) throws PthException {
        if (in.remaining() < n) {
            throw fail("ends in the middle of an opcode (truncated pickle)");
        }
    }

    static String typeName(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof Global g) {
            return g.qualified();
        }
        if (o instanceof Tuple) {
            return "tuple";
        }
        if (o instanceof Map) {
            return "dict";
        }
        if (o instanceof List) {
            return "list";
        }
        if (o instanceof TensorRef) {
            return "tensor";
        }
        if (o instanceof StorageRef) {
            return "storage";
        }
        return o.getClass().getSimpleName();
    }

    private static String describe(Object o) {
        if (o instanceof Tuple t) {
            List<String> parts = new ArrayList<>();
            for (Object x : t.items()) {
                parts.add(typeName(x));
            }
            return "(" + String.join(", ", parts) + ")";
        }
        return typeName(o);
    }
}
