package dev.surf.cuda;

/**
 * The attention kernel a test or benchmark forces for {@link CudaBackend#attention}
 * ({@link CudaControls#setAttentionPath}); AUTO (the default) leaves the choice to
 * {@link AttentionChoice}. WGMMA and WGMMA_SIMPLE are the Hopper TMA + wgmma kernel, overlapped and
 * not (compute capability 9.0 only), FLASH the mma.sync kernel (sm_80+), GENERIC the one for any
 * dtype and head dim, GEMM two F32 GEMMs around a row softmax (F32 operands, no bias, window or key
 * lengths). Forcing a path that cannot run the given operands throws IllegalArgumentException.
 */
public enum AttentionPath { AUTO, WGMMA, WGMMA_SIMPLE, FLASH, GENERIC, GEMM }
