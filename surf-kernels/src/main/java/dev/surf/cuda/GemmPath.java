package dev.surf.cuda;

/**
 * The GEMM kernel a test or benchmark forces for {@link CudaBackend#linear} and
 * {@link CudaBackend#linearResidual} ({@link CudaControls#setGemmPath}); AUTO (the default) leaves the
 * choice to {@link GemmChoice}. WGMMA (Hopper warpgroup MMA, compute capability 9.0 only) and MMA
 * (mma.sync, sm_80+) are the tensor-core kernels, SIMT the CUDA-core one (the GEMV for up to 8 rows).
 * PERSISTENT and PINGPONG are the persistent TMA kernels of cuda/gemm_persistent.cu (compute
 * capability 9.0 and the driver's tensor-map encoder): cooperative 128 x 256 tiles, and 128 x 128
 * tiles with the two consumer warpgroups on alternate tiles. Forcing a path that cannot run the given
 * operands throws IllegalArgumentException.
 */
public enum GemmPath {
    AUTO, WGMMA, PERSISTENT, PINGPONG, MMA, SIMT;

    /** Whether this is one of the persistent TMA kernels (cuda/gemm_persistent.cu). */
    public boolean persistent() {
        return this == PERSISTENT || this == PINGPONG;
    }
}
