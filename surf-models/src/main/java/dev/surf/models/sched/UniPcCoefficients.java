package dev.surf.models.sched;

/**
 * The float32 scalar coefficients of the official FlowUniPC (order 2, bh2, predict_x0) updates,
 * computed in the official operation order from the schedule's float32 solver sigmas
 * (spec/wan21.md §3.5; {@code multistep_uni_p_bh_update} and {@code multistep_uni_c_bh_update}).
 */
final class UniPcCoefficients {
    private UniPcCoefficients() {
    }

    /**
     * Scalars of one UniP or UniC update {@code x_out = sampleCoeff * x - x0Coeff * m0 - alphaB * res},
     * where m0 is the newest stored x0-estimate and res the order-dependent history term.
     *
     * @param order       predictor order p (UniP) or the previous step's order c (UniC)
     * @param sampleCoeff {@code sigma_t / sigma_s0}
     * @param x0Coeff     {@code alpha_t * expm1(-h)}
     * @param alphaB      {@code alpha_t * B(h)} with bh2's {@code B(h) = expm1(-h)}
     * @param r           the step ratio {@code (lambda_s1 - lambda_s0) / h} of the older history point (order 2 only, else NaN)
     * @param rho0        weight of the older difference D (UniC of order 2 only; UniP order 2 uses 0.5; else NaN)
     * @param rho1        weight of {@code m_t - m0} (UniC only: 0.5 for order 1, solved for order 2; NaN for UniP)
     */
    record Update(int order, float sampleCoeff, float x0Coeff, float alphaB, float r, float rho0, float rho1) {
    }

    /** UniP from step i to i+1 with the given order (1, or 2 when i &gt;= 1). */
    static Update predictor(float[] sigmas, int i, int order) {
        float sigmaT = sigmas[i + 1];
        float sigmaS0 = sigmas[i];
        float alphaT = 1f - sigmaT;
        float lambdaS0 = Fp32.lambda(sigmaS0);
        float h = Fp32.lambda(sigmaT) - lambdaS0;
        float hh = -h;
        float phi = Fp32.expm1(hh);
        float bh = Fp32.expm1(hh); // bh2
        float r = Float.NaN;
        float rho0 = Float.NaN;
        if (order == 2) {
            r = (Fp32.lambda(sigmas[i - 1]) - lambdaS0) / h;
            rho0 = 0.5f; // order 2 UniP uses the fixed weight, not a solve
        } else if (order != 1) {
            throw new IllegalArgumentException("UniP order must be 1 or 2, got " + order);
        }
        return new Update(order, sigmaT / sigmaS0, alphaT * phi, alphaT * bh, r, rho0, Float.NaN);
    }

    /**
     * UniC at step i &gt;= 1, correcting the sample predicted by step i-1, whose predictor had order
     * {@code order}.
     */
    static Update corrector(float[] sigmas, int i, int order) {
        float sigmaT = sigmas[i];
        float sigmaS0 = sigmas[i - 1];
        float alphaT = 1f - sigmaT;
        float lambdaS0 = Fp32.lambda(sigmaS0);
        float h = Fp32.lambda(sigmaT) - lambdaS0;
        float hh = -h;
        float phi = Fp32.expm1(hh);
        float bh = Fp32.expm1(hh);
        float sampleCoeff = sigmaT / sigmaS0;
        float x0Coeff = alphaT * phi;
        float alphaB = alphaT * bh;
        if (order == 1) {
            return new Update(1, sampleCoeff, x0Coeff, alphaB, Float.NaN, Float.NaN, 0.5f);
        }
        if (order != 2) {
            throw new IllegalArgumentException("UniC order must be 1 or 2, got " + order);
        }
        float r = (Fp32.lambda(sigmas[i - 2]) - lambdaS0) / h;
        // b_k = h_phi_k * k! / B(h), with h_phi_1 = phi/hh - 1 and h_phi_2 = h_phi_1/hh - 1/2
        float hPhi1 = phi / hh - 1f;
        float b0 = hPhi1 * 1f / bh;
        float hPhi2 = hPhi1 / hh - 0.5f;
        float b1 = hPhi2 * 2f / bh;
        float[] rho = Fp32.solveUniC2(r, b0, b1);
        return new Update(2, sampleCoeff, x0Coeff, alphaB, r, rho[0], rho[1]);
    }
}
