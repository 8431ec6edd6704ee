package dev.surf.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Arrays;

/**
 * TMA tensor maps (CUtensorMap, 128 opaque bytes) for the Hopper kernels, encoded by the driver's
 * {@code cuTensorMapEncodeTiled}. JCuda 12.6 does not bind that function, so it is called through the
 * Foreign Function and Memory API from libcuda.so.1, the library JCuda's natives already loaded. The
 * bytes are passed by value inside a kernel's {@code __grid_constant__} parameter struct (cuda/hopper.cuh
 * {@code TensorMap}).
 *
 * <p>Whether the encoder can be bound is part of {@link DeviceCaps} (tensorMapsUnavailable): without it
 * the persistent GEMM and the wgmma attention are off and AUTO falls back (GemmChoice, AttentionChoice).
 * Exercised on the device by the wgmma attention and persistent GEMM tests.
 */
final class TensorMaps {
    /** Bytes of one CUtensorMap. */
    static final int BYTES = 128;

    // cuda.h enums
    static final int BFLOAT16 = 9;          // CU_TENSOR_MAP_DATA_TYPE_BFLOAT16
    private static final int INTERLEAVE_NONE = 0;
    static final int SWIZZLE_128B = 3;      // CU_TENSOR_MAP_SWIZZLE_128B
    private static final int L2_PROMOTION_128B = 2;
    private static final int OOB_FILL_ZERO = 0;  // CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE: out-of-bounds elements read as 0

    private static final MethodHandle ENCODE;
    private static final String UNAVAILABLE;

    static {
        MethodHandle h = null;
        String why = null;
        try {
            SymbolLookup cuda = SymbolLookup.libraryLookup("libcuda.so.1", Arena.global());
            MemorySegment fn = cuda.find("cuTensorMapEncodeTiled").orElse(null);
            if (fn == null) {
                why = "libcuda.so.1 has no cuTensorMapEncodeTiled (driver older than CUDA 12)";
            } else {
                h = Linker.nativeLinker().downcallHandle(fn, FunctionDescriptor.of(JAVA_INT,
                        ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS,
                        JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
            }
        } catch (IllegalArgumentException | IllegalCallerException | UnsupportedOperationException e) {
            why = "cannot bind cuTensorMapEncodeTiled from libcuda.so.1: " + e.getMessage();
        }
        ENCODE = h;
        UNAVAILABLE = why;
    }

    private TensorMaps() {
    }

    /** Null when tensor maps can be encoded here, else why not. */
    static String unavailableReason() {
        return UNAVAILABLE;
    }

    /**
     * A tiled tensor map over {@code rank = dims.length} dimensions (innermost first) of a tensor at
     * device address {@code address}: {@code strides[i]} is the byte stride of dimension i + 1 (the
     * innermost dimension is contiguous), {@code box} the elements of one load per dimension.
     * Out-of-bounds elements of a box load as zeros. The driver's constraints: address 16-byte
     * aligned, strides multiples of 16 below 2^40, dims in [1, 2^32], box entries in [1, 256] with the
     * inner box at most the swizzle span (128 bytes for the 128-byte swizzle).
     */
    static byte[] encode(int dataType, long address, long[] dims, long[] strides, int[] box, int swizzle) {
        if (UNAVAILABLE != null) {
            throw new IllegalStateException("TMA tensor maps unavailable: " + UNAVAILABLE);
        }
        int rank = dims.length;
        if (rank < 1 || rank > 5 || strides.length != rank - 1 || box.length != rank) {
            throw new IllegalArgumentException("tensor map: rank " + rank + " with " + strides.length + " strides and "
                    + box.length + " box dims");
        }
        int[] elementStrides = new int[rank];
        Arrays.fill(elementStrides, 1);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment map = a.allocate(BYTES, 64);
            MemorySegment gd = a.allocateFrom(JAVA_LONG, dims);
            MemorySegment gs = a.allocateFrom(JAVA_LONG, strides.length == 0 ? new long[] {0} : strides);
            MemorySegment bx = a.allocateFrom(JAVA_INT, box);
            MemorySegment es = a.allocateFrom(JAVA_INT, elementStrides);
            int rc;
            try {
                rc = (int) ENCODE.invokeExact(map, dataType, rank, MemorySegment.ofAddress(address), gd, gs, bx, es,
                        INTERLEAVE_NONE, swizzle, L2_PROMOTION_128B, OOB_FILL_ZERO);
            } catch (Throwable t) {
                throw new IllegalStateException("cuTensorMapEncodeTiled failed to run", t);
            }
            if (rc != 0) {
                throw new CudaException("cuTensorMapEncodeTiled(dims " + Arrays.toString(dims) + ", strides "
                        + Arrays.toString(strides) + ", box " + Arrays.toString(box) + ", address 0x"
                        + Long.toHexString(address) + ") returned CUresult " + rc, rc);
            }
            return map.toArray(JAVA_BYTE);
        }
    }

    /**
     * The map of a [B, L, H, D] bf16 tensor (row stride H*D) that the attention kernels load in boxes of
     * {@code rows} tokens x 64 head-dim elements of one (b, h): dims (D, H, L, B), box (64, 1, rows, 1),
     * 128-byte swizzle.
     */
    static byte[] attentionOperand(long address, int b, int l, int h, int d, int rows) {
        long dBytes = 2L * d;
        return encode(BFLOAT16, address, new long[] {d, h, l, b}, new long[] {dBytes, dBytes * h, dBytes * h * l},
                new int[] {64, 1, rows, 1}, SWIZZLE_128B);
    }

    /**
     * The map of a row-major [rows, k] bf16 matrix that the GEMM kernels load in boxes of
     * {@code boxRows} rows x 64 elements of K: dims (k, rows), box (64, boxRows), 128-byte swizzle.
     */
    static byte[] matrixOperand(long address, long rows, int k, int boxRows) {
        return encode(BFLOAT16, address, new long[] {k, rows}, new long[] {2L * k}, new int[] {64, boxRows}, SWIZZLE_128B);
    }
}
