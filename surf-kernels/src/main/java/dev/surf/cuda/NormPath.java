package dev.surf.cuda;

/**
 * The norm kernels a test or benchmark forces for {@link CudaBackend#layerNorm},
 * {@link CudaBackend#layerNormModulate} and {@link CudaBackend#rmsNorm}
 * ({@link CudaControls#setNormPath}); AUTO (the default) is WARP unless
 * {@code -Dsurf.cuda.warpNorms=false}. BLOCK is one 256-thread block per row, any row length and
 * dtype. WARP is one warp per row with the row in registers and 16-byte accesses (cuda/norms.cu,
 * layer_norm_warp / rms_norm_warp) wherever {@link NormChoice} finds that it applies, else BLOCK: on an
 * H100 (2026-11-22) the warp kernels took 0.12 ms for an adaLN LayerNorm of [32760, 1536] against the
 * block kernel's 0.22.
 */
public enum NormPath { AUTO, BLOCK, WARP }
