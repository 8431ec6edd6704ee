/**
 * The Java half of the kernel lab (cuda/lab/README.md): variants that lost on the device and are never
 * AUTO's choice, kept out of the backends' dispatch but compiled, tested against the CPU reference and
 * timed by the benchmarks, so they can be re-measured on new hardware or promoted back with numbers.
 * Today: {@link dev.surf.bench.lab.TapGemmConv3d}, conv3d composed of a backend's GEMM and copy ops
 * (formerly the CUDA backend's TAPS conv paths), and {@link dev.surf.bench.lab.TapConvBackend}, which
 * routes a model's convolutions through it.
 */
package dev.surf.bench.lab;
