package dev.surf.core.pth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.DType;
import dev.surf.core.Half;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.safetensors.SafetensorsWriter;
import dev.surf.core.safetensors.WeightStore;
import dev.surf.core.testing.PickleBuilder;
import dev.surf.core.testing.TorchZipWriter;
import dev.surf.core.testing.TorchZipWriter.TensorSpec;
import dev.surf.core.weights.TensorArchive;
import dev.surf.core.weights.WeightFiles;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** torch.save zip checkpoints written byte by byte: round trips, and every refusal path. */
class PthArchiveTest {
    private static final CpuBackend BE = new CpuBackend(1);

    @TempDir
    Path dir;

    @AfterAll
    static void close() {
        BE.close();
    }

    private static float[] seq(int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (i - n / 2f) * scale;
        }
        return v;
    }

    private static byte[] bf16(float... v) {
        ByteBuffer b = ByteBuffer.allocate(2 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putShort(Half.floatToBf16(x));
        }
        return b.array();
    }

    private static byte[] i64(long... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) {
            b.putLong(x);
        }
        return b.array();
    }

    /** A state dict of four tensors: F32 2-D, a BF16 one, an I64 one, and two views of one shared storage. */
    private Path sample(String file) throws Exception {
        float[] shared = seq(10, 0.5f);
        List<TensorSpec> specs = List.of(
                TensorSpec.whole("conv.weight", "0", "FloatStorage", 2, 3),
                TensorSpec.whole("norm.gamma", "1", "BFloat16Storage", 4),
                TensorSpec.whole("steps", "2", "LongStorage", 3),
                new TensorSpec("tied.a", "3", "FloatStorage", 10, 0, new long[] {2, 2}, new long[] {2, 1}),
                new TensorSpec("tied.b", "3", "FloatStorage", 10, 4, new long[] {6}, new long[] {1}));
        Map<String, byte[]> storages = new LinkedHashMap<>();
        storages.put("0", TorchZipWriter.f32(seq(6, 1f)));
        storages.put("1", bf16(1f, -2f, 0.5f, 3f));
        storages.put("2", i64(7, -1, 1L << 40));
        storages.put("3", TorchZipWriter.f32(shared));
        return TorchZipWriter.checkpoint(TorchZipWriter.stateDict(specs), storages).write(dir.resolve(file));
    }

    @Test
    void roundTripOfATorchStateDict() throws Exception {
        try (PthArchive a = PthArchive.open(sample("model.pth"))) {
            assertEquals(List.of("conv.weight", "norm.gamma", "steps", "tied.a", "tied.b"), a.names());
            assertEquals(Shape.of(2, 3), a.info("conv.weight").shape());
            assertEquals(DType.BF16, a.info("norm.gamma").dtype());
            assertEquals(DType.I64, a.info("steps").dtype());
            assertTrue(a.data("conv.weight").isNative(), "stored entries are zero-copy slices of the mapping");
            try (Tensor w = a.require(BE, "conv.weight", Shape.of(2, 3), null);
                 Tensor g = a.load(BE, "norm.gamma", DType.F32);
                 Tensor s = a.load(BE, "steps", null);
                 Tensor ta = a.load(BE, "tied.a", null);
                 Tensor tb = a.load(BE, "tied.b", null)) {
                assertArrayEquals(seq(6, 1f), BE.toFloats(w));
                assertArrayEquals(new float[] {1f, -2f, 0.5f, 3f}, BE.toFloats(g));
                long[] steps = new long[3];
                ByteBuffer.wrap(a.data("steps").toArray(java.lang.foreign.ValueLayout.JAVA_BYTE))
                        .order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(steps);
                assertArrayEquals(new long[] {7, -1, 1L << 40}, steps);
                float[] shared = seq(10, 0.5f);
                assertArrayEquals(java.util.Arrays.copyOfRange(shared, 0, 4), BE.toFloats(ta));
                assertArrayEquals(java.util.Arrays.copyOfRange(shared, 4, 10), BE.toFloats(tb));
                assertEquals(Shape.of(2, 2), ta.shape());
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.info("nope"));
            assertTrue(e.getMessage().contains("nope"));
            Exception shape = assertThrows(java.io.IOException.class, () -> a.require(BE, "conv.weight", Shape.of(3, 2), null));
            assertTrue(shape.getMessage().contains("[2, 3]") && shape.getMessage().contains("[3, 2]"), shape.getMessage());
        }
    }

    @Test
    void weightFilesOpensEitherKindByContent() throws Exception {
        Path pth = sample("weights.bin");
        Path st = dir.resolve("w.safetensors");
        SafetensorsWriter.writeFloats(st, Map.of("x", new float[] {1, 2}), null, null);
        try (TensorArchive a = WeightFiles.open(pth); TensorArchive b = WeightFiles.open(st)) {
            assertInstanceOf(PthArchive.class, a);
            assertInstanceOf(WeightStore.class, b);
            assertTrue(a.has("conv.weight") && b.has("x"));
        }
    }

    @Test
    void protocolFourParametersNestingAndDeflatedEntriesAreRead() throws Exception {
        // {"model": {"w": Parameter(tensor)}} written with protocol-4 framing, short strings, MEMOIZE, STACK_GLOBAL
        byte[] pkl = new PickleBuilder().proto(4).op(0x95).raw(new byte[8]).op('}').op(0x94)
                .shortStr("model").op(0x94).op('}').op(0x94).shortStr("w").op(0x94)
                .shortStr("torch._utils").shortStr("_rebuild_parameter").op(0x93).op(0x94)
                .shortStr("torch._utils").shortStr("_rebuild_tensor_v2").op(0x93).op(0x94).mark()
                .mark().shortStr("storage").shortStr("torch").shortStr("HalfStorage").op(0x93).shortStr("k").shortStr("cpu")
                .integer(3).tuple().op('Q').integer(0).intTuple(3).intTuple(1).op(0x89)
                .shortStr("collections").shortStr("OrderedDict").op(0x93).op(')').reduce().tuple().reduce()
                .op(0x88).op('}').op(0x87).reduce().op('s').op('s').stop().bytes();
        ByteBuffer h = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : new float[] {0.5f, -1f, 2f}) {
            h.putShort(Half.floatToF16(f));
        }
        TorchZipWriter w = new TorchZipWriter().deflated("m/data.pkl", pkl).deflated("m/data/k", h.array());
        try (PthArchive a = PthArchive.open(w.write(dir.resolve("p4.pt")))) {
            assertEquals(List.of("model.w"), a.names());
            assertEquals(DType.F16, a.info("model.w").dtype());
            try (Tensor t = a.load(BE, "model.w", DType.F32)) {
                assertArrayEquals(new float[] {0.5f, -1f, 2f}, BE.toFloats(t));
            }
        }
    }

    // ---------------------------------------------------------------- hostile pickles

    private PthException refused(byte[] pkl) throws Exception {
        Path f = TorchZipWriter.checkpoint(pkl, Map.of()).write(Files.createTempFile(dir, "evil", ".pth"));
        return assertThrows(PthException.class, () -> PthArchive.open(f));
    }

    @Test
    void osSystemViaGlobalAndReduceIsRefusedWithoutRunningIt() throws Exception {
        Path marker = dir.resolve("pwned");
        byte[] pkl = new PickleBuilder().proto(2).global("os", "system").str("touch " + marker).op(0x85).reduce()
                .stop().bytes();
        PthException e = refused(pkl);
        assertTrue(e.getMessage().contains("os.system") && e.getMessage().contains("data.pkl"), e.getMessage());
        assertFalse(Files.exists(marker));
        // the same through posix.system and subprocess, as real exploits spell it
        assertTrue(refused(new PickleBuilder().proto(2).global("posix", "system").str("id").op(0x85).reduce().stop().bytes())
                .getMessage().contains("posix.system"));
    }

    @Test
    void builtinsEvalViaStackGlobalIsRefused() throws Exception {
        byte[] pkl = new PickleBuilder().proto(4).shortStr("builtins").shortStr("eval").op(0x93)
                .shortStr("__import__('os').system('id')").op(0x85).reduce().stop().bytes();
        PthException e = refused(pkl);
        assertTrue(e.getMessage().contains("builtins.eval"), e.getMessage());
    }

    @Test
    void objectCreatingAndUnknownOpcodesAreRefused() throws Exception {
        assertTrue(refused(new PickleBuilder().proto(2).op('i').raw("os\nsystem\n".getBytes()).stop().bytes())
                .getMessage().contains("INST"));
        assertTrue(refused(new PickleBuilder().proto(2).mark().op('o').stop().bytes()).getMessage().contains("OBJ"));
        assertTrue(refused(new PickleBuilder().proto(2).op(0x81).stop().bytes()).getMessage().contains("NEWOBJ"));
        assertTrue(refused(new PickleBuilder().proto(2).op(0xfe).stop().bytes()).getMessage().contains("0xfe"));
        // a whitelisted storage type is data, never callable
        assertTrue(refused(new PickleBuilder().proto(2).global("torch", "FloatStorage").op(')').reduce().stop().bytes())
                .getMessage().contains("REDUCE"));
        // BUILD may only set a dict's state (OrderedDict._metadata), not attributes of arbitrary objects
        assertTrue(refused(new PickleBuilder().proto(2).str("x").op('}').op('b').stop().bytes())
                .getMessage().contains("BUILD"));
    }

    // ---------------------------------------------------------------- corrupt archives

    private PthException broken(byte[] file) throws Exception {
        Path f = Files.write(Files.createTempFile(dir, "bad", ".pth"), file);
        return assertThrows(PthException.class, () -> PthArchive.open(f));
    }

    private static void contains(PthException e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message lacks '" + p + "': " + e.getMessage());
        }
    }

    @Test
    void corruptArchivesGiveClearErrors() throws Exception {
        byte[] good = Files.readAllBytes(sample("good.pth"));
        contains(broken(java.util.Arrays.copyOf(good, good.length - 30)), "not a zip archive");
        contains(broken("not a zip at all, just text that is long enough".getBytes()), "not a zip archive");
        contains(broken(new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}),
                "legacy");

        List<TensorSpec> one = List.of(TensorSpec.whole("w", "0", "FloatStorage", 4));
        byte[] pkl = TorchZipWriter.stateDict(one);
        contains(broken(new TorchZipWriter().entry("archive/data/0", TorchZipWriter.f32(1, 2, 3, 4)).bytes()),
                "no <name>/data.pkl");
        contains(broken(TorchZipWriter.checkpoint(pkl, Map.of()).bytes()), "'w'", "no entry archive/data/0");
        contains(broken(TorchZipWriter.checkpoint(pkl, Map.of("0", TorchZipWriter.f32(1, 2))).bytes()),
                "archive/data/0", "too small");
        List<TensorSpec> outside = List.of(new TensorSpec("w", "0", "FloatStorage", 4, 2, new long[] {3}, new long[] {1}));
        contains(broken(TorchZipWriter.checkpoint(TorchZipWriter.stateDict(outside), Map.of("0", TorchZipWriter.f32(1, 2, 3, 4)))
                .bytes()), "offset 2", "outside its storage");
        List<TensorSpec> strided = List.of(new TensorSpec("w", "0", "FloatStorage", 4, 0, new long[] {2, 2}, new long[] {1, 2}));
        contains(broken(TorchZipWriter.checkpoint(TorchZipWriter.stateDict(strided), Map.of("0", TorchZipWriter.f32(1, 2, 3, 4)))
                .bytes()), "not contiguous");
        contains(broken(TorchZipWriter.checkpoint(java.util.Arrays.copyOf(pkl, pkl.length - 1), Map.of("0", TorchZipWriter.f32(1, 2, 3, 4)))
                .bytes()), "STOP");
        contains(broken(TorchZipWriter.checkpoint(java.util.Arrays.copyOf(pkl, 40), Map.of()).bytes()), "truncated");

        TorchZipWriter big = new TorchZipWriter().entry("archive/data.pkl", pkl).entry("archive/byteorder", "big".getBytes())
                .entry("archive/data/0", TorchZipWriter.f32(1, 2, 3, 4));
        contains(broken(big.bytes()), "byte order 'big'");

        // flip a byte inside data.pkl: the CRC check notices
        byte[] flipped = TorchZipWriter.checkpoint(pkl, Map.of("0", TorchZipWriter.f32(1, 2, 3, 4))).bytes();
        int at = indexOf(flipped, "_rebuild_tensor_v2".getBytes());
        flipped[at] = 'X';
        contains(broken(flipped), "CRC");

        // an entry whose size in the central directory runs past the end of the file
        byte[] longer = TorchZipWriter.checkpoint(pkl, Map.of("0", TorchZipWriter.f32(1, 2, 3, 4))).bytes();
        int cd = lastIndexOf(longer, new byte[] {0x50, 0x4b, 0x01, 0x02}); // the last central header: archive/version
        ByteBuffer.wrap(longer).order(ByteOrder.LITTLE_ENDIAN).putInt(cd + 20, 1 << 30).putInt(cd + 24, 1 << 30);
        contains(broken(longer), "runs past the end", "truncated");
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalStateException("not found");
    }

    private static int lastIndexOf(byte[] hay, byte[] needle) {
        int found = -1;
        for (int i = 0; i + needle.length <= hay.length; i++) {
            if (java.util.Arrays.equals(hay, i, i + needle.length, needle, 0, needle.length)) {
                found = i;
            }
        }
        return found;
    }
}
