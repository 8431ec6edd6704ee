package dev.surf.cuda;

import jcuda.driver.CUdeviceptr;

/**
 * A CUdeviceptr whose raw address Java can read: kernels take pointers as 8-byte values, and tensors
 * address their storage at byte offsets, so the backend works with plain {@code long} addresses and
 * keeps this object only for the driver calls that want a CUdeviceptr (free, memcpy, memset).
 */
final class DevicePointer extends CUdeviceptr {
    /** The device address (what cuMemAlloc wrote into this object). */
    long address() {
        return getNativePointer() + getByteOffset();
    }
}
