package dev.surf.core.pth;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.testing.PickleBuilder;
import dev.surf.core.testing.TorchZipWriter;
import dev.surf.core.testing.TorchZipWriter.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crafted torch checkpoints of the kinds the reliability issue found: wrapped size arithmetic, a pickle
 * whose shared dicts expand exponentially, a deflated storage claiming far more than it holds, and
 * ZIP64 offsets near 2^63. Each must end quickly in one PthException naming the file and the entry.
 */
class PthHostileFileTest {
    @TempDir
    Path dir;

    private PthException refused(byte[] zip, String... words) throws Exception {
        Path f = Files.write(dir.resolve("hostile.pth"), zip);
        PthException e = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThrows(PthException.class, () -> {
            PthArchive.open(f).close();
        }));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), e.getMessage() + " lacks " + w);
        }
        return e;
    }

    private static byte[] oneTensor(long storageNumel, long offset, long[] size, byte[] storage) {
        TensorSpec t = new TensorSpec("w", "0", "FloatStorage", storageNumel, offset, size, TensorSpec.contiguous(size));
        return TorchZipWriter.checkpoint(TorchZipWriter.stateDict(List.of(t)), Map.of("0", storage)).bytes();
    }

    @Test
    void storageSizesThatWrapAroundAreRefused() throws Exception {
        // numel * 4 bytes overflows a long: once accepted as a tiny (wrapped) size
        refused(oneTensor(Long.MAX_VALUE / 2, 0, new long[] {2}, new byte[8]), "'w'", "invalid storage size");
        refused(oneTensor(-5, 0, new long[] {2}, new byte[8]), "numel");
        // offset + numel overflows: once inside the storage by wrapping
        refused(oneTensor(2, Long.MAX_VALUE - 1, new long[] {2}, new byte[8]), "'w'", "outside its storage");
    }

    /** 16 keys per level all pointing at the one dict below, 7 levels: 16^7 paths from a pickle of a few hundred bytes. */
    @Test
    void dictsSharedThroughTheMemoDoNotExplode() throws Exception {
        PickleBuilder p = new PickleBuilder().proto(2);
        sharedLevel(p, 7);
        byte[] pickle = p.stop().bytes();
        refused(TorchZipWriter.checkpoint(pickle, Map.of()).bytes(), "expand", "memo");
    }

    /** A deflated storage whose directory claims 2 GB from a few hundred compressed bytes: refused before any allocation. */
    @Test
    void aDeflatedStorageClaimingMoreThanDeflateCanGiveIsRefused() throws Exception {
        long numel = 500_000_000L; // 2 GB of F32
        TensorSpec t = new TensorSpec("w", "0", "FloatStorage", numel, 0, new long[] {numel}, new long[] {1});
        TorchZipWriter w = new TorchZipWriter();
        w.entry("archive/data.pkl", TorchZipWriter.stateDict(List.of(t)));
        w.deflated("archive/data/0", new byte[4096]);
        byte[] zip = w.bytes();
        patchCentralSize(zip, "archive/data/0", numel * 4);
        refused(zip, "archive/data/0", "deflate expands at most");
    }

    /** A ZIP64 locator pointing at 2^63 - 11: the sum with the record length once wrapped negative and passed the bound. */
    @Test
    void zip64OffsetsNearTheTopOfTheLongRangeAreRefused() throws Exception {
        byte[] zip = TorchZipWriter.checkpoint(TorchZipWriter.stateDict(List.of()), Map.of()).bytes();
        int eocd = zip.length - 22;
        ByteBuffer locator = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
        locator.putInt(0x07064b50).putInt(0).putLong(Long.MAX_VALUE - 10).putInt(1);
        byte[] end = Arrays.copyOfRange(zip, eocd, zip.length);
        ByteBuffer.wrap(end).order(ByteOrder.LITTLE_ENDIAN).putShort(10, (short) 0xFFFF);
        ByteBuffer out = ByteBuffer.allocate(zip.length + 20);
        out.put(zip, 0, eocd).put(locator.array()).put(end);
        refused(out.array(), "ZIP64");
    }

    /**
     * Found by PickleFuzzTarget (seed dict-key-containing-itself): a list that contains itself used as a
     * dict key was hashed recursively until the stack overflowed.
     */
    @Test
    void aContainerAsADictKeyIsRefused() {
        byte[] pickle = new PickleBuilder().proto(2).op('}').op(']').binput(0).binget(0).op('a').integer(1).op('s').stop().bytes();
        PthException e = assertThrows(PthException.class, () -> RestrictedUnpickler.load(dir.resolve("k.pth"), "archive/data.pkl", pickle));
        assertTrue(e.getMessage().contains("key of type"), e.getMessage());
    }

    /** Level L: a dict whose first value builds level L-1 inline (memo slot L-1) and whose 15 others fetch it. */
    private static void sharedLevel(PickleBuilder p, int level) {
        p.op('}').mark();
        if (level == 0) {
            p.str("x").integer(1).op('u');
            return;
        }
        p.str("k0");
        sharedLevel(p, level - 1);
        p.binput(level - 1);
        for (int k = 1; k < 16; k++) {
            p.str("k" + k).binget(level - 1);
        }
        p.op('u');
    }

    /** Overwrites the uncompressed size field of the named central directory entry. */
    private static void patchCentralSize(byte[] zip, String name, long size) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        for (int at = 0; at + 46 + n.length <= zip.length; at++) {
            if (b.getInt(at) == 0x02014b50 && Arrays.equals(Arrays.copyOfRange(zip, at + 46, at + 46 + n.length), n)) {
                b.putInt(at + 24, (int) size);
                return;
            }
        }
        throw new AssertionError("no central entry " + name);
    }
}
