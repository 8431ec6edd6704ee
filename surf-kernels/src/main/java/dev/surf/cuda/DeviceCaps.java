package dev.surf.cuda;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a device and this build can run, the device side of every kernel choice: read once when a
 * backend opens, and written out by hand in the tests, so that the choice functions ({@link GemmChoice},
 * {@link AttentionChoice}, {@link ConvChoice}, {@link NormChoice}) run on the CPU for any device.
 *
 * @param ccMajor                 compute capability, major
 * @param ccMinor                 compute capability, minor
 * @param multiprocessors         streaming multiprocessors
 * @param maxSharedPerBlockOptin  dynamic shared memory a block may opt in to, bytes
 * @param modules                 the kernel files (fatbins, by the names of cuda/*.cu) on the class path
 * @param tensorMapsUnavailable   null when the driver's tensor-map encoder (cuTensorMapEncodeTiled) can be
 *                                called, else why not
 */
public record DeviceCaps(int ccMajor, int ccMinor, int multiprocessors, int maxSharedPerBlockOptin, Set<String> modules,
                         String tensorMapsUnavailable) {

    public DeviceCaps {
        modules = Set.copyOf(modules);
    }

    /** The caps of an open device: its attributes, the fatbins present, and the tensor-map encoder. */
    static DeviceCaps of(CudaContext ctx) {
        Set<String> present = new HashSet<>();
        for (List<String> list : List.of(CudaModules.REQUIRED, CudaModules.HOPPER)) {
            for (String m : list) {
                if (CudaModules.present(m)) {
                    present.add(m);
                }
            }
        }
        return new DeviceCaps(ctx.ccMajor, ctx.ccMinor, ctx.multiprocessors, ctx.maxSharedPerBlockOptin, present,
                TensorMaps.unavailableReason());
    }

    /** Compute capability as "major.minor". */
    public String computeCapability() {
        return ccMajor + "." + ccMinor;
    }

    /** Compute capability 9.0 exactly: the sm_90a (wgmma, setmaxnreg) kernels run only there. */
    public boolean hopper() {
        return ccMajor == 9 && ccMinor == 0;
    }

    /** Whether the Hopper (sm_90a, wgmma) GEMM can run here. */
    public boolean hasWgmma() {
        return hopper() && modules.contains("gemm_wgmma");
    }

    /** Whether the persistent TMA + wgmma GEMM can run here: Hopper, its fatbin, and the tensor-map encoder. */
    public boolean hasGemmPersistent() {
        return hopper() && modules.contains("gemm_persistent") && tensorMapsUnavailable == null;
    }

    /** Whether the TMA + wgmma attention kernel can run here: Hopper, its fatbin, and the tensor-map encoder. */
    public boolean hasAttnWgmma() {
        return hopper() && modules.contains("attention_wgmma") && tensorMapsUnavailable == null;
    }

    /** One line for logs: capability, SMs and the Hopper kernels available. */
    @Override
    public String toString() {
        return "cc " + computeCapability() + ", " + multiprocessors + " SMs, wgmma " + yes(hasWgmma()) + ", persistent GEMM "
                + yes(hasGemmPersistent()) + ", wgmma attention " + yes(hasAttnWgmma())
                + (tensorMapsUnavailable == null || !hopper() ? "" : " (" + tensorMapsUnavailable + ")");
    }

    private static String yes(boolean b) {
        return b ? "yes" : "no";
    }
}
