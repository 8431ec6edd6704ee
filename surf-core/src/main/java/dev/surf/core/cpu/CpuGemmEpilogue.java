package dev.surf.core.cpu;

import dev.surf.core.Activation;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * What happens to a finished block of x W^T: bias and activation into the output, the gated
 * residual update, or a plain (accumulating) store. Runs while the block is still in cache, once per output element.
 */
abstract class CpuGemmEpilogue {
    private static final VectorSpecies<Float> S = CpuGemmKernel.S;
    private static final int L = S.length();

    /**
     * Finishes output rows [r0, r0+rows) x columns [c0, c0+cols), whose x W^T values are at
     * src[so + r*lds + c] (r, c relative to the block). src may alias the destination.
     */
    abstract void finish(int r0, int rows, int c0, int cols, float[] src, int so, int lds);

    /**
     * Before any product is added: optionally loads the starting values of output rows [r0, r0+rows)
     * x columns [c0, c0+cols) into dst[so + r*lds + c] and returns true, so that each element's FMA
     * chain starts from them; by default returns false (chains start from 0).
     */
    boolean seed(int r0, int rows, int c0, int cols, float[] dst, int so, int lds) {
        return false;
    }

    /**
     * Plain store into a row-major C (element (row, col) at c[co + row*ldc + col]); with accumulate,
     * C's old values seed the chains, so C += A B is one chain per element starting from old C.
     */
    static CpuGemmEpilogue store(float[] c, int co, int ldc, boolean accumulate) {
        return new CpuGemmEpilogue() {
            @Override
            boolean seed(int r0, int rows, int c0, int cols, float[] dst, int so, int lds) {
                if (accumulate) {
                    for (int r = 0; r < rows; r++) {
                        System.arraycopy(c, co + (r0 + r) * ldc + c0, dst, so + r * lds, cols);
                    }
                }
                return accumulate;
            }

            @Override
            void finish(int r0, int rows, int c0, int cols, float[] src, int so, int lds) {
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(src, so + r * lds, c, co + (r0 + r) * ldc + c0, cols);
                }
            }
        };
    }

    /** out[row, col] = act(v + bias[col]) with out row-major [*, n]. */
    static CpuGemmEpilogue linear(float[] out, int n, float[] bias, Activation act) {
        return new CpuGemmEpilogue() {
            @Override
            void finish(int r0, int rows, int c0, int cols, float[] src, int so, int lds) {
                for (int r = 0; r < rows; r++) {
                    int s = so + r * lds;
                    int d = (r0 + r) * n + c0;
                    int c = 0;
                    if (act == Activation.NONE) {
                        for (; c <= cols - L; c += L) {
                            FloatVector v = FloatVector.fromArray(S, src, s + c);
                            if (bias != null) {
                                v = v.add(FloatVector.fromArray(S, bias, c0 + c));
                            }
                            v.intoArray(out, d + c);
                        }
                    }
                    for (; c < cols; c++) {
                        float v = bias == null ? src[s + c] : src[s + c] + bias[c0 + c];
                        // the elementwise op's own F32 formula, so a fused activation matches an unfused one
                        out[d + c] = CpuElementwise.apply(act, v);
                    }
                }
            }
        };
    }

    /**
     * res[row, col] += gate[batch(row), col] * (v + bias[col]), batch(row) = row / rowsPerBatch;
     * gate null means 1. res is row-major [*, n] starting at element ro.
     */
    static CpuGemmEpilogue residual(float[] res, int ro, int n, float[] bias, float[] gate, int rowsPerBatch) {
        return new CpuGemmEpilogue() {
            @Override
            void finish(int r0, int rows, int c0, int cols, float[] src, int so, int lds) {
                for (int r = 0; r < rows; r++) {
                    int s = so + r * lds;
                    int d = ro + (r0 + r) * n + c0;
                    int g = gate == null ? 0 : (r0 + r) / rowsPerBatch * n + c0;
                    int c = 0;
                    for (; c <= cols - L; c += L) {
                        FloatVector v = FloatVector.fromArray(S, src, s + c);
                        if (bias != null) {
                            v = v.add(FloatVector.fromArray(S, bias, c0 + c));
                        }
                        if (gate != null) {
                            v = v.mul(FloatVector.fromArray(S, gate, g + c));
                        }
                        FloatVector.fromArray(S, res, d + c).add(v).intoArray(res, d + c);
                    }
                    for (; c < cols; c++) {
                        float v = bias == null ? src[s + c] : src[s + c] + bias[c0 + c];
                        if (gate != null) {
                            v = gate[g + c] * v;
                        }
                        res[d + c] += v;
                    }
                }
            }
        };
    }
}
