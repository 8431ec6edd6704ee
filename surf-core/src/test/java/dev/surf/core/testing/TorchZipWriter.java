package dev.surf.core.testing;

import dev.surf.core.DType;
import dev.surf.core.safetensors.TensorInfo;
import dev.surf.core.safetensors.WeightStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes checkpoints in torch.save's zip format without Python, byte by byte: entries
 * {@code archive/data.pkl}, {@code archive/byteorder}, {@code archive/data/N}, {@code archive/version}
 * (stored, data 64-byte aligned through a padding extra field, as PyTorch's writer does), followed by
 * the central directory and end record. {@link #stateDict} builds the data.pkl torch emits for an
 * OrderedDict of tensors.
 */
public final class TorchZipWriter {
    /** One tensor of a state dict: storage key, storage type, element count of the storage, offset, size. */
    public record TensorSpec(String name, String storageKey, String storageType, long storageNumel, long offset,
                             long[] size, long[] stride) {
        /** A contiguous tensor that is the whole of its own storage. */
        public static TensorSpec whole(String name, String key, String type, long... size) {
            long n = 1;
            for (long d : size) {
                n *= d;
            }
            return new TensorSpec(name, key, type, n, 0, size, contiguous(size));
        }

        public static long[] contiguous(long[] size) {
            long[] s = new long[size.length];
            long acc = 1;
            for (int i = size.length - 1; i >= 0; i--) {
                s[i] = acc;
                acc *= size[i];
            }
            return s;
        }
    }

    private final Map<String, byte[]> entries = new LinkedHashMap<>();
    private final Map<String, Boolean> deflate = new LinkedHashMap<>();

    /** Adds an entry (stored). */
    public TorchZipWriter entry(String name, byte[] data) {
        entries.put(name, data);
        return this;
    }

    /** Adds an entry compressed with deflate (torch never does; other zip tools may). */
    public TorchZipWriter deflated(String name, byte[] data) {
        entries.put(name, data);
        deflate.put(name, true);
        return this;
    }

    /** data.pkl, byteorder and version of a torch checkpoint, plus storages given as raw bytes by key. */
    public static TorchZipWriter checkpoint(byte[] pickle, Map<String, byte[]> storages) {
        TorchZipWriter w = new TorchZipWriter();
        w.entry("archive/data.pkl", pickle);
        w.entry("archive/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
        for (Map.Entry<String, byte[]> s : storages.entrySet()) {
            w.entry("archive/data/" + s.getKey(), s.getValue());
        }
        w.entry("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        return w;
    }

    /**
     * The pickle torch.save writes for {@code OrderedDict(name -> tensor)} (protocol 2): the dict by
     * REDUCE of collections.OrderedDict, one SETITEMS batch, each tensor as
     * _rebuild_tensor_v2(persistent storage, offset, size, stride, False, OrderedDict()), the storage
     * type global and rebuild function memoised after first use, and the state dict's
     * {@code _metadata} attribute set by BUILD.
     */
    public static byte[] stateDict(List<TensorSpec> tensors) {
        PickleBuilder p = new PickleBuilder().proto(2);
        Map<String, Integer> memo = new LinkedHashMap<>();
        int[] next = {0};
        p.global("collections", "OrderedDict").binput(memo(memo, "OrderedDict", next)).op(')').reduce()
                .binput(next[0]++).mark();
        Map<String, Integer> storageMemo = new LinkedHashMap<>();
        for (TensorSpec t : tensors) {
            p.str(t.name()).binput(next[0]++);
            if (memo.containsKey("rebuild")) {
                p.binget(memo.get("rebuild"));
            } else {
                p.global("torch._utils", "_rebuild_tensor_v2").binput(memo(memo, "rebuild", next));
            }
            p.mark();
            if (storageMemo.containsKey(t.storageKey())) {
                p.binget(storageMemo.get(t.storageKey()));
            } else {
                p.mark().str("storage");
                if (memo.containsKey(t.storageType())) {
                    p.binget(memo.get(t.storageType()));
                } else {
                    p.global("torch", t.storageType()).binput(memo(memo, t.storageType(), next));
                }
                p.str(t.storageKey()).binput(next[0]++).str("cpu").binput(next[0]++).integer(t.storageNumel())
                        .tuple().binput(next[0]++).op('Q').binput(next[0]);
                storageMemo.put(t.storageKey(), next[0]++);
            }
            p.integer(t.offset()).intTuple(t.size()).binput(next[0]++).intTuple(t.stride()).binput(next[0]++)
                    .op(0x89).binget(memo.get("OrderedDict")).op(')').reduce().binput(next[0]++).tuple()
                    .binput(next[0]++).reduce().binput(next[0]++);
        }
        p.op('u');
        // state_dict()._metadata = OrderedDict([('', {'version': 1})]) is pickled as the dict's state
        p.op('}').binput(next[0]++).str("_metadata").binput(next[0]++).binget(memo.get("OrderedDict")).op(')')
                .reduce().binput(next[0]++).str("").binput(next[0]++).op('}').binput(next[0]++).str("version")
                .binput(next[0]++).integer(1).op('s').op('s').op('s').op('b');
        return p.stop().bytes();
    }

    private static int memo(Map<String, Integer> memo, String key, int[] next) {
        memo.put(key, next[0]);
        return next[0]++;
    }

    /** The archive bytes. */
    public byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream central = new ByteArrayOutputStream();
        List<String> names = new ArrayList<>(entries.keySet());
        for (String name : names) {
            byte[] data = entries.get(name);
            boolean def = deflate.getOrDefault(name, false);
            byte[] stored = def ? deflate(data) : data;
            CRC32 crc = new CRC32();
            crc.update(data);
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            long offset = out.size();
            // PyTorch pads the local extra field so that every entry's data starts 64-byte aligned
            int pad = (int) ((64 - (offset + 30 + n.length + 4) % 64) % 64);
            byte[] extra = new byte[4 + pad];
            ByteBuffer.wrap(extra).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0x4246).putShort((short) pad);
            ByteBuffer h = ByteBuffer.allocate(30).order(ByteOrder.LITTLE_ENDIAN);
            h.putInt(0x04034b50).putShort((short) 20).putShort((short) 0).putShort((short) (def ? 8 : 0))
                    .putShort((short) 0).putShort((short) 0).putInt((int) crc.getValue()).putInt(stored.length)
                    .putInt(data.length).putShort((short) n.length).putShort((short) extra.length);
            out.writeBytes(h.array());
            out.writeBytes(n);
            out.writeBytes(extra);
            out.writeBytes(stored);
            ByteBuffer c = ByteBuffer.allocate(46).order(ByteOrder.LITTLE_ENDIAN);
            c.putInt(0x02014b50).putShort((short) 20).putShort((short) 20).putShort((short) 0)
                    .putShort((short) (def ? 8 : 0)).putShort((short) 0).putShort((short) 0).putInt((int) crc.getValue())
                    .putInt(stored.length).putInt(data.length).putShort((short) n.length).putShort((short) 0)
                    .putShort((short) 0).putShort((short) 0).putShort((short) 0).putInt(0).putInt((int) offset);
            central.writeBytes(c.array());
            central.writeBytes(n);
        }
        long cdOffset = out.size();
        out.writeBytes(central.toByteArray());
        ByteBuffer e = ByteBuffer.allocate(22).order(ByteOrder.LITTLE_ENDIAN);
        e.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) names.size())
                .putShort((short) names.size()).putInt(central.size()).putInt((int) cdOffset).putShort((short) 0);
        out.writeBytes(e.array());
        return out.toByteArray();
    }

    public Path write(Path file) throws IOException {
        Files.write(file, bytes());
        return file;
    }

    private static byte[] deflate(byte[] data) {
        Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        d.setInput(data);
        d.finish();
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        while (!d.finished()) {
            o.write(buf, 0, d.deflate(buf));
        }
        d.end();
        return o.toByteArray();
    }

    /**
     * Every tensor of an F32 safetensors store as the state dict torch.save would write for it (same
     * names, one FloatStorage each): the official {@code .pth} form of a fixture checkpoint.
     */
    public static Path writeStateDict(WeightStore store, Path out) throws IOException {
        List<TensorSpec> specs = new ArrayList<>();
        Map<String, byte[]> storages = new LinkedHashMap<>();
        int key = 0;
        for (String n : store.names()) {
            TensorInfo info = store.info(n);
            if (info.dtype() != DType.F32) {
                throw new IllegalArgumentException(n + " is " + info.dtype() + "; writeStateDict copies F32 tensors");
            }
            long[] size = java.util.Arrays.stream(info.shape().dims()).asLongStream().toArray();
            specs.add(TensorSpec.whole(n, String.valueOf(key), "FloatStorage", size));
            storages.put(String.valueOf(key++), f32(store.data(n)
                    .toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN))));
        }
        return checkpoint(stateDict(specs), storages).write(out);
    }

    /** Little-endian F32 bytes. */
    public static byte[] f32(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putFloat(x);
        }
        return b.array();
    }
}
