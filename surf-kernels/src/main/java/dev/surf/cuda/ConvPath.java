package dev.surf.cuda;

/**
 * The conv3d kernel a test or benchmark forces for {@link CudaBackend#conv3d}
 * ({@link CudaControls#setConvPath}); AUTO (the default) takes what {@code -Dsurf.cuda.conv} names
 * (igemm unless set) through {@link ConvChoice}. DIRECT (cuda/conv3d.cu) is one thread per output
 * element in the CPU's order, bit-identical to the CPU backend, and slow (CUDA cores). IGEMM
 * (cuda/conv3d_igemm.cu) is an implicit GEMM on TF32 tensor cores with F32 accumulation for F32
 * inputs: about 1e-3 relative error, like PyTorch's fp32 Conv3d with cuDNN's default TF32, at about
 * cuDNN's speed. An AUTO IGEMM that cannot run the operands (non-F32 input, sizes past 32-bit offsets)
 * falls back to DIRECT; forcing IGEMM on them throws IllegalArgumentException.
 *
 * <p>The convolutions composed of GEMM and copy kernels (the former TAPS paths, 1.6-4.6x slower than
 * IGEMM on an H100 and never AUTO's choice) live in the lab: dev.surf.bench.lab.TapGemmConv3d.
 */
public enum ConvPath { AUTO, DIRECT, IGEMM }
