package dev.surf.cuda;

/** A CUDA driver call failed; the message names the call and the driver's error name. */
public class CudaException extends RuntimeException {
    private final int code;

    public CudaException(String message, int code) {
        super(message);
        this.code = code;
    }

    /** The driver's CUresult code (0 when the failure was detected on the Java side). */
    public int code() {
        return code;
    }
}
