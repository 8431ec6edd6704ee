package dev.surf.core.safetensors;

import java.util.Map;

/**
 * The dtype strings of the safetensors format and their widths in bits. A name outside this table
 * makes a header invalid; a name inside it that {@link dev.surf.core.DType} lacks is a valid but
 * unsupported tensor, which can be listed but not loaded.
 */
final class StoredDType {
    private StoredDType() {
    }

    // Widths in bits, because F4 and the F6 types pack several elements into a byte.
    private static final Map<String, Integer> BITS = Map.ofEntries(
            Map.entry("BOOL", 8),
            Map.entry("F4", 4),
            Map.entry("F6_E2M3", 6),
            Map.entry("F6_E3M2", 6),
            Map.entry("U8", 8),
            Map.entry("I8", 8),
            Map.entry("F8_E5M2", 8),
            Map.entry("F8_E4M3", 8),
            Map.entry("F8_E8M0", 8),
            Map.entry("F8_E4M3FNUZ", 8),
            Map.entry("F8_E5M2FNUZ", 8),
            Map.entry("I16", 16),
            Map.entry("U16", 16),
            Map.entry("F16", 16),
            Map.entry("BF16", 16),
            Map.entry("I32", 32),
            Map.entry("U32", 32),
            Map.entry("F32", 32),
            Map.entry("F64", 64),
            Map.entry("I64", 64),
            Map.entry("U64", 64),
            Map.entry("C64", 64));

    /** Bits per element of a safetensors dtype string, or 0 if the string is not a safetensors dtype. */
    static int bits(String name) {
        return BITS.getOrDefault(name, 0);
    }
}
