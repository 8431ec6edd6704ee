package dev.surf.cuda;

import jcuda.driver.CUresult;

/**
 * Checks CUDA driver results. Every driver call of this package goes through {@link #check}, so a
 * failure surfaces at the call that saw it, with the call and the driver's error name in the message
 * (JCuda's global exception mode is left alone: it is shared with any other JCuda user in the JVM).
 */
final class Cu {
    private Cu() {
    }

    /** Throws a {@link CudaException} naming {@code call} unless result is CUDA_SUCCESS. */
    static void check(int result, String call) {
        if (result != CUresult.CUDA_SUCCESS) {
            throw new CudaException(call + " failed: " + errorName(result), result);
        }
    }

    /** The CUresult name, e.g. CUDA_ERROR_ILLEGAL_ADDRESS, with the numeric code. */
    static String errorName(int result) {
        return CUresult.stringFor(result) + " (" + result + ")";
    }
}
