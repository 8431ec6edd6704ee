package dev.surf.cuda;

import dev.surf.core.DType;

/**
 * A tensor as a kernel choice sees it: its dtype and the device address of its first element (whose
 * alignment decides whether a kernel's wide loads may run). Pure data, so the choices run on the CPU.
 */
record Operand(DType dtype, long address) {

    /** Whether the address is a multiple of {@code bytes}. */
    boolean aligned(int bytes) {
        return address % bytes == 0;
    }

    /** e.g. "BF16 at 0x7f0000000002". */
    @Override
    public String toString() {
        return dtype + " at 0x" + Long.toHexString(address);
    }
}
