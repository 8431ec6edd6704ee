package dev.surf.core.pth;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The central directory of a memory-mapped zip file (ZIP64 included), read by hand because
 * java.util.zip does not tell where an entry's bytes start, and that is what zero-copy tensors need.
 * Every offset and size is checked against the file before it is used.
 */
final class ZipDirectory {
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final int EOCD = 0x06054b50;
    private static final int ZIP64_LOCATOR = 0x07064b50;
    private static final int ZIP64_EOCD = 0x06064b50;
    private static final int CENTRAL = 0x02014b50;
    private static final int LOCAL = 0x04034b50;

    /** Compression methods: 0 stored, 8 deflated. */
    static final int STORED = 0;
    static final int DEFLATED = 8;

    /**
     * One entry.
     *
     * @param name           the entry name
     * @param method         0 stored, 8 deflated (others are refused when read)
     * @param crc            CRC-32 of the uncompressed bytes
     * @param compressedSize bytes in the file
     * @param size           bytes after decompression
     * @param dataOffset     where its (compressed) bytes start in the file
     */
    record Entry(String name, int method, int crc, long compressedSize, long size, long dataOffset) {
        /** The same entry read only up to {@code size} uncompressed bytes (what its tensors need). */
        Entry withSize(long newSize) {
            return new Entry(name, method, crc, compressedSize, newSize, dataOffset);
        }
    }

    private ZipDirectory() {
    }

    /** All entries by name, in directory order. */
    static Map<String, Entry> read(Path file, MemorySegment zip) throws PthException {
        long n = zip.byteSize();
        long eocd = findEocd(zip);
        if (eocd < 0) {
            throw new PthException(file, "not a zip archive (no end-of-central-directory record); a torch checkpoint"
                    + " saved by torch.save since PyTorch 1.6 is a zip file");
        }
        long entries = u16(zip, eocd + 10);
        long cdSize = u32(zip, eocd + 12);
        long cdOffset = u32(zip, eocd + 16);
        if (entries == 0xFFFF || cdSize == 0xFFFFFFFFL || cdOffset == 0xFFFFFFFFL) {
            long loc = eocd - 20;
            if (loc < 0 || zip.get(U32, loc) != ZIP64_LOCATOR) {
                throw new PthException(file, "zip directory needs ZIP64 fields but has no ZIP64 locator");
            }
            long rec = zip.get(U64, loc + 8);
            if (!within(rec, 56, n) || zip.get(U32, rec) != ZIP64_EOCD) {
                throw new PthException(file, "ZIP64 end-of-central-directory record at " + rec + " is missing or corrupt");
            }
            entries = zip.get(U64, rec + 32);
            cdSize = zip.get(U64, rec + 40);
            cdOffset = zip.get(U64, rec + 48);
        }
        if (!within(cdOffset, cdSize, n) || entries < 0 || entries > cdSize / 46 + 1) {
            throw new PthException(file, "zip central directory (offset " + cdOffset + ", " + cdSize + " bytes, "
                    + entries + " entries) does not fit the " + n + "-byte file: truncated or corrupt archive");
        }
        Map<String, Entry> out = new LinkedHashMap<>();
        long at = cdOffset;
        long end = cdOffset + cdSize;
        for (long i = 0; i < entries; i++) {
            if (!within(at, 46, end) || zip.get(U32, at) != CENTRAL) {
                throw new PthException(file, "zip central directory entry " + i + " is corrupt");
            }
            int flags = u16(zip, at + 8);
            int method = u16(zip, at + 10);
            int crc = zip.get(U32, at + 16);
            long csize = u32(zip, at + 20);
            long usize = u32(zip, at + 24);
            int nameLen = u16(zip, at + 28);
            int extraLen = u16(zip, at + 30);
            int commentLen = u16(zip, at + 32);
            long local = u32(zip, at + 42);
            if (at + 46 + nameLen + extraLen + commentLen > end) {
                throw new PthException(file, "zip central directory entry " + i + " runs past the directory");
            }
            String name = new String(zip.asSlice(at + 46, nameLen).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
            // ZIP64 extra field: the 8-byte values replace those saturated at 0xFFFFFFFF, in this order
            long x = at + 46 + nameLen;
            long xEnd = x + extraLen;
            while (x + 4 <= xEnd) {
                int id = u16(zip, x);
                int len = u16(zip, x + 2);
                long v = x + 4;
                if (v + len > xEnd) {
                    break;
                }
                if (id == 0x0001) {
                    if (usize == 0xFFFFFFFFL && v + 8 <= x + 4 + len) {
                        usize = zip.get(U64, v);
                        v += 8;
                    }
                    if (csize == 0xFFFFFFFFL && v + 8 <= x + 4 + len) {
                        csize = zip.get(U64, v);
                        v += 8;
                    }
                    if (local == 0xFFFFFFFFL && v + 8 <= x + 4 + len) {
                        local = zip.get(U64, v);
                    }
                }
                x += 4 + len;
            }
            if ((flags & 1) != 0) {
                throw new PthException(file, "zip entry '" + name + "' is encrypted");
            }
            if (!within(local, 30, n) || zip.get(U32, local) != LOCAL) {
                throw new PthException(file, "zip entry '" + name + "': local header at " + local
                        + " is missing or corrupt (truncated archive?)");
            }
            long data = local + 30 + u16(zip, local + 26) + u16(zip, local + 28);
            if (usize < 0 || !within(data, csize, n)) {
                throw new PthException(file, "zip entry '" + name + "' (" + csize + " bytes at offset " + data
                        + ") runs past the end of the " + n + "-byte file: truncated archive");
            }
            if (out.put(name, new Entry(name, method, crc, csize, usize, data)) != null) {
                throw new PthException(file, "zip entry '" + name + "' appears twice");
            }
            at += 46 + nameLen + extraLen + commentLen;
        }
        return out;
    }

    /** Searches backwards for the end record (it is followed by a comment of up to 65535 bytes). */
    private static long findEocd(MemorySegment zip) {
        long n = zip.byteSize();
        for (long p = n - 22; p >= 0 && p >= n - 22 - 65535; p--) {
            if (zip.get(U32, p) == EOCD && p + 22 + u16(zip, p + 20) == n) {
                return p;
            }
        }
        return -1;
    }

    /**
     * Whether [offset, offset + length) lies inside [0, size), written so that no sum can overflow:
     * the offsets and lengths come from the file (ZIP64 fields are 64-bit) and may be hostile.
     */
    static boolean within(long offset, long length, long size) {
        return offset >= 0 && length >= 0 && offset <= size && length <= size - offset;
    }

    private static int u16(MemorySegment m, long at) {
        return Short.toUnsignedInt(m.get(U16, at));
    }

    private static long u32(MemorySegment m, long at) {
        return Integer.toUnsignedLong(m.get(U32, at));
    }
}
