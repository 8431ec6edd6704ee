package dev.surf.core;

/**
 * Element types a {@link Tensor} can hold. Floating types are what models compute with; the integer
 * types carry token ids and masks.
 */
public enum DType {
    F32(4, "F32", true),
    BF16(2, "BF16", true),
    F16(2, "F16", true),
    I32(4, "I32", false),
    I64(8, "I64", false);

    private final int byteSize;
    private final String safetensorsName;
    private final boolean floating;

    DType(int byteSize, String safetensorsName, boolean floating) {
        this.byteSize = byteSize;
        this.safetensorsName = safetensorsName;
        this.floating = floating;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** The dtype string used in safetensors headers ("F32", "BF16", ...). */
    public String safetensorsName() {
        return safetensorsName;
    }

    public boolean isFloating() {
        return floating;
    }

    /** Parses a safetensors dtype string; returns null for one this engine does not support. */
    public static DType fromSafetensors(String name) {
        for (DType d : values()) {
            if (d.safetensorsName.equals(name)) {
                return d;
            }
        }
        return null;
    }
}
