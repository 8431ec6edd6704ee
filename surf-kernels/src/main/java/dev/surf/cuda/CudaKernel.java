package dev.surf.cuda;

import static jcuda.driver.JCudaDriver.cuFuncSetAttribute;

import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;

/** A kernel function of a loaded module, with its dynamic shared memory limit raised on demand. */
final class CudaKernel {
    /** Shared memory a block may use without opting in. */
    static final int DEFAULT_DYNAMIC_SMEM = 48 * 1024;

    final String name;
    final CUfunction function;
    private int dynamicSmemLimit = DEFAULT_DYNAMIC_SMEM;

    CudaKernel(String name, CUfunction function) {
        this.name = name;
        this.function = function;
    }

    /** Raises the kernel's dynamic shared memory limit to at least {@code bytes} (once). */
    synchronized void allowDynamicSmem(int bytes) {
        if (bytes > dynamicSmemLimit) {
            Cu.check(cuFuncSetAttribute(function, CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes),
                    "cuFuncSetAttribute(" + name + ", max dynamic shared memory " + bytes + ")");
            dynamicSmemLimit = bytes;
        }
    }
}
