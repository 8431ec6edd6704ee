package dev.surf.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDeviceTotalMem;

import java.nio.charset.StandardCharsets;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;

/**
 * One device and its primary context (shared with any other driver-API or runtime user in this
 * process, as the runtime API does). The driver binds contexts to threads, and a backend may be called
 * from any thread, so every entry point calls {@link #makeCurrent()} before its first driver call.
 */
final class CudaContext implements AutoCloseable {
    final int ordinal;
    final CUdevice device = new CUdevice();
    final CUcontext context = new CUcontext();
    final String deviceName;
    final int ccMajor;
    final int ccMinor;
    final int multiprocessors;
    final int maxSharedPerBlockOptin;
    final long totalMemory;
    private boolean closed;

    private CudaContext(int ordinal) {
        this.ordinal = ordinal;
        Cu.check(cuDeviceGet(device, ordinal), "cuDeviceGet(" + ordinal + ")");
        Cu.check(cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
        byte[] name = new byte[256];
        Cu.check(cuDeviceGetName(name, name.length, device), "cuDeviceGetName");
        int len = 0;
        while (len < name.length && name[len] != 0) {
            len++;
        }
        this.deviceName = new String(name, 0, len, StandardCharsets.UTF_8);
        this.ccMajor = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
        this.ccMinor = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
        this.multiprocessors = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
        this.maxSharedPerBlockOptin = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN);
        long[] total = new long[1];
        Cu.check(cuDeviceTotalMem(total, device), "cuDeviceTotalMem");
        this.totalMemory = total[0];
        makeCurrent();
    }

    /** Retains the primary context of device {@code ordinal}; the caller has checked availability. */
    static CudaContext open(int ordinal) {
        int[] count = new int[1];
        Cu.check(cuDeviceGetCount(count), "cuDeviceGetCount");
        if (ordinal < 0 || ordinal >= count[0]) {
            throw new IllegalArgumentException("CUDA device " + ordinal + " does not exist; this machine has "
                    + count[0] + " device(s)");
        }
        return new CudaContext(ordinal);
    }

    private int attribute(int attr) {
        int[] v = new int[1];
        Cu.check(cuDeviceGetAttribute(v, attr, device), "cuDeviceGetAttribute(" + attr + ")");
        return v[0];
    }

    /** Binds the context to the calling thread (cheap; done at every backend entry point). */
    void makeCurrent() {
        Cu.check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
    }

    /** True for compute capability 9.0 exactly: the sm_90a (wgmma) kernels run only there. */
    boolean isHopper() {
        return ccMajor == 9 && ccMinor == 0;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Cu.check(cuDevicePrimaryCtxRelease(device), "cuDevicePrimaryCtxRelease");
        }
    }
}
