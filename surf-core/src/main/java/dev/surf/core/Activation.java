package dev.surf.core;

/** Pointwise functions applied as a GEMM epilogue or on their own. */
public enum Activation {
    NONE,
    /** GELU with the tanh approximation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
    GELU_TANH,
    /** x * sigmoid(x). */
    SILU;

    /** Scalar reference, in double: what every backend's kernels are tested against. */
    public double apply(double x) {
        return switch (this) {
            case NONE -> x;
            case GELU_TANH -> 0.5 * x * (1.0 + Math.tanh(Math.sqrt(2.0 / Math.PI) * (x + 0.044715 * x * x * x)));
            case SILU -> x / (1.0 + Math.exp(-x));
        };
    }

    /** d apply / dx at x, in double: what the activation backward computes and is tested against. */
    public double derivative(double x) {
        return switch (this) {
            case NONE -> 1.0;
            case GELU_TANH -> {
                double c = Math.sqrt(2.0 / Math.PI);
                double th = Math.tanh(c * (x + 0.044715 * x * x * x));
                yield 0.5 * (1.0 + th) + 0.5 * x * (1.0 - th * th) * c * (1.0 + 3 * 0.044715 * x * x);
            }
            case SILU -> {
                double sg = 1.0 / (1.0 + Math.exp(-x));
                yield sg * (1.0 + x * (1.0 - sg));
            }
        };
    }
}
