package dev.surf.models.sched;

/**
 * Float32 scalar maths as PyTorch does it on 0-dim float32 CPU tensors, where the official solvers
 * compute their coefficients. Java {@code float} arithmetic is IEEE single precision like torch's;
 * for the transcendental functions we evaluate in double with {@link StrictMath} (fdlibm, the same
 * bits on every JVM) and round once, which is within an ulp of glibc's float {@code logf}/{@code expm1f}
 * and usually identical to it.
 */
final class Fp32 {
    private Fp32() {
    }

    /** {@code torch.log} of a float32 value. log(0) = -inf, as torch gives. */
    static float log(float x) {
        return (float) StrictMath.log(x);
    }

    /** {@code torch.expm1} of a float32 value; expm1(-inf) = -1. */
    static float expm1(float x) {
        return (float) StrictMath.expm1(x);
    }

    /**
     * The flow-matching half log-SNR {@code lambda = log(alpha) - log(sigma)} with {@code alpha = 1 - sigma},
     * each operation rounded to float32 ({@code _sigma_to_alpha_sigma_t} then two logs). +inf at sigma 0.
     */
    static float lambda(float sigma) {
        float alpha = 1f - sigma;
        return log(alpha) - log(sigma);
    }

    /**
     * Solves {@code [[1, 1], [r, 1]] [rho0, rho1]^T = [b0, b1]^T} in float32 as LAPACK {@code sgesv}
     * (what {@code torch.linalg.solve} calls on the CPU) does: LU with partial pivoting, the column
     * below the pivot scaled by the pivot's reciprocal, forward then backward substitution, every
     * operation rounded to float32 (no fused multiply-adds).
     *
     * @return {rho0, rho1}
     */
    static float[] solveUniC2(float r, float b0, float b1) {
        // rows of the system as (a0, a1 | rhs); row 0 is [1, 1 | b0], row 1 is [r, 1 | b1]
        float p0 = 1f;
        float p1 = 1f;
        float pr = b0;
        float q0 = r;
        float q1 = 1f;
        float qr = b1;
        if (Math.abs(r) > 1f) { // isamax keeps the first row on ties, so swap only when strictly larger
            p0 = r;
            q0 = 1f;
            pr = b1;
            qr = b0;
        }
        float l = q0 * (1f / p0);
        float u22 = q1 - l * p1;
        float y2 = qr - l * pr;
        float rho1 = y2 / u22;
        float rho0 = (pr - rho1 * p1) / p0;
        return new float[] {rho0, rho1};
    }
}
