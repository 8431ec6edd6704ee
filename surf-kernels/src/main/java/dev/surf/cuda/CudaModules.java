package dev.surf.cuda;

import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleGetGlobal;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;

/**
 * The kernel modules: one fatbin per cuda/*.cu file, built by cuda/build.sh into the class path under
 * {@value #RESOURCE_DIR}, loaded on first use with cuModuleLoadData (the driver picks the sm_80/sm_90
 * machine code or JIT-compiles the compute_90 PTX for newer GPUs). Functions are looked up once and
 * cached.
 */
final class CudaModules implements AutoCloseable {
    static final String RESOURCE_DIR = "/dev/surf/cuda/kernels/";

    /** Every kernel file the backend needs (the names of cuda/*.cu). */
    static final List<String> REQUIRED = List.of("attention", "attention_generic", "attention_grad", "conv3d", "conv3d_grad",
            "conv3d_igemm", "convert", "copy", "elementwise", "gemm_bf16", "gemm_simt", "grad_elementwise", "grad_gather",
            "grad_linear", "norms", "norms_grad", "philox", "resize", "rope");

    /** Kernel files that exist only for compute capability 9.0 (sm_90a: wgmma, setmaxnreg). */
    static final List<String> HOPPER = List.of("gemm_wgmma", "gemm_persistent", "attention_wgmma");

    private final Map<String, CUmodule> modules = new ConcurrentHashMap<>();
    private final Map<String, CudaKernel> kernels = new ConcurrentHashMap<>();

    /** The resource path of the first required kernel file that is missing, or null if all are there. */
    static String missingResource() {
        for (String m : REQUIRED) {
            if (!present(m)) {
                return RESOURCE_DIR + m + ".fatbin";
            }
        }
        return null;
    }

    static boolean present(String module) {
        return CudaModules.class.getResource(RESOURCE_DIR + module + ".fatbin") != null;
    }

    private static byte[] read(String module) {
        String path = RESOURCE_DIR + module + ".fatbin";
        try (InputStream in = CudaModules.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("CUDA kernel file " + path + " is not on the class path (built without nvcc?)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + path, e);
        }
    }

    /** The loaded module; the calling thread must have the context current. */
    CUmodule module(String name) {
        return modules.computeIfAbsent(name, n -> {
            CUmodule m = new CUmodule();
            Cu.check(cuModuleLoadData(m, read(n)), "cuModuleLoadData(" + n + ".fatbin)");
            return m;
        });
    }

    /** The kernel {@code function} of module {@code module}. */
    CudaKernel kernel(String module, String function) {
        return kernels.computeIfAbsent(module + "/" + function, key -> {
            CUfunction f = new CUfunction();
            Cu.check(cuModuleGetFunction(f, module(module), function), "cuModuleGetFunction(" + key + ")");
            return new CudaKernel(key, f);
        });
    }

    /** The value of an {@code extern "C" __constant__ int} of a module (e.g. a kernel's shared memory size). */
    int constant(String module, String symbol) {
        CUdeviceptr p = new CUdeviceptr();
        long[] size = new long[1];
        Cu.check(cuModuleGetGlobal(p, size, module(module), symbol), "cuModuleGetGlobal(" + module + "/" + symbol + ")");
        if (size[0] != 4) {
            throw new IllegalStateException(module + "/" + symbol + " is " + size[0] + " bytes, expected an int");
        }
        int[] v = new int[1];
        Cu.check(cuMemcpyDtoH(Pointer.to(v), p, 4), "cuMemcpyDtoH(" + symbol + ")");
        return v[0];
    }

    @Override
    public void close() {
        for (CUmodule m : modules.values()) {
            Cu.check(cuModuleUnload(m), "cuModuleUnload");
        }
        modules.clear();
        kernels.clear();
    }
}
