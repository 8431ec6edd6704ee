package dev.surf.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.util.Locale;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * Decides once per JVM whether the CUDA backend can run here, and if not, why. It never throws: a
 * machine without a driver, without a GPU or without built kernels gets a sentence, not an exception
 * (and the JCuda native library is not even loaded when libcuda.so.1 is missing).
 */
final class CudaProbe {
    /** Oldest compute capability the kernels are built for (mma.sync bf16, cp.async, ldmatrix). */
    static final int MIN_MAJOR = 8;
    static final String NO_DRIVER = "no CUDA driver (libcuda.so.1 could not be loaded)";

    private static volatile String reason;
    private static volatile boolean probed;

    private CudaProbe() {
    }

    /** Null when a CUDA device with compute capability >= 8.0 and the kernels are usable, else why not. */
    static String unavailableReason() {
        if (!probed) {
            synchronized (CudaProbe.class) {
                if (!probed) {
                    String r;
                    try {
                        r = probe();
                    } catch (Throwable t) {
                        r = "CUDA could not be initialised: " + t;
                    }
                    reason = r;
                    probed = true;
                }
            }
        }
        return reason;
    }

    private static String probe() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return "the CUDA backend runs on Linux x86-64 only (this is " + os + " " + arch + ")";
        }
        if (driverLibraryLoads() == Boolean.FALSE) {
            return NO_DRIVER;
        }
        int init;
        try {
            init = JCudaDriver.cuInit(0);
        } catch (LinkageError e) {
            String m = String.valueOf(e.getMessage());
            return m.contains("libcuda") ? NO_DRIVER : "the JCuda native library could not be loaded: " + m;
        }
        if (init == CUresult.CUDA_ERROR_NO_DEVICE) {
            return "no CUDA device";
        }
        if (init == CUresult.CUDA_ERROR_STUB_LIBRARY) {
            return "no CUDA driver (only the libcuda.so.1 stub of the toolkit was found)";
        }
        if (init != CUresult.CUDA_SUCCESS) {
            return "the CUDA driver failed to initialise: " + Cu.errorName(init);
        }
        int[] count = new int[1];
        int r = JCudaDriver.cuDeviceGetCount(count);
        if (r != CUresult.CUDA_SUCCESS || count[0] == 0) {
            return "no CUDA device";
        }
        CUdevice dev = new CUdevice();
        Cu.check(JCudaDriver.cuDeviceGet(dev, 0), "cuDeviceGet");
        int[] major = new int[1];
        int[] minor = new int[1];
        Cu.check(JCudaDriver.cuDeviceGetAttribute(major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev),
                "cuDeviceGetAttribute");
        Cu.check(JCudaDriver.cuDeviceGetAttribute(minor, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev),
                "cuDeviceGetAttribute");
        if (major[0] < MIN_MAJOR) {
            return "CUDA device 0 has compute capability " + major[0] + "." + minor[0]
                    + "; the kernels need " + MIN_MAJOR + ".0 (Ampere) or newer";
        }
        String missing = CudaModules.missingResource();
        if (missing != null) {
            return "kernels were not built (nvcc was not available at build time; " + missing + " is not on the class path)";
        }
        return null;
    }

    /**
     * Whether the dynamic linker can open libcuda.so.1, checked without touching JCuda (whose native
     * library links against it); null when this JVM forbids the check (native access denied).
     */
    private static Boolean driverLibraryLoads() {
        try (Arena arena = Arena.ofConfined()) {
            SymbolLookup.libraryLookup("libcuda.so.1", arena);
            return Boolean.TRUE;
        } catch (IllegalArgumentException e) {
            return Boolean.FALSE;
        } catch (IllegalCallerException e) {
            return null;
        }
    }
}
