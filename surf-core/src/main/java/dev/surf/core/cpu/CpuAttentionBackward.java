package dev.surf.core.cpu;

import dev.surf.core.AttentionGrads;
import dev.surf.core.AttentionSpec;
import dev.surf.core.BackwardChecks;
import dev.surf.core.Tensor;
import dev.surf.core.TimeWindow;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Attention backward with recomputation (flash-attention style): the probabilities of query row i
 * are rebuilt from its saved log-sum-exp, p_ij = exp(scale q_i.k_j + bias_ij - lse_i), over exactly
 * the keys the forward let it see (key length, time window), and
 * <pre>dv_j += p_ij dO_i,  ds_ij = p_ij (dO_i.v_j - dO_i.O_i),  dq_i = scale sum_j ds_ij k_j,  dk_j += scale ds_ij q_i.</pre>
 * Work is split over (batch item, head): each task owns its rows of dq, dk and dv and visits queries
 * and keys in order, so the result does not depend on the thread count. Everything is F32 with
 * Vector API FMAs along the head dimension (dot products lane-wise, then across lanes; dq, dk and dv
 * as one FMA per element per key or query, in order). AttentionBackwardTest checks it against
 * central differences of a double-precision attention, with head sizes that fill vector lanes and
 * leave tails.
 */
final class CpuAttentionBackward {
    private static final VectorSpecies<Float> S = CpuGemmKernel.S;
    private static final int L = S.length();

    private CpuAttentionBackward() {
    }

    static AttentionGrads backward(CpuBackend be, Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, Tensor dOut,
                                   AttentionSpec spec) {
        BackwardChecks.attentionBackward(q, k, v, out, lse, dOut, spec);
        int batch = q.dim(0);
        int lq = q.dim(1);
        int heads = q.dim(2);
        int d = q.dim(3);
        int lk = k.dim(1);
        int dv = v.dim(3);
        float[] qa = CpuTensors.f32View(q);
        float[] ka = CpuTensors.f32View(k);
        float[] va = CpuTensors.f32View(v);
        float[] oa = CpuTensors.f32View(out);
        float[] la = CpuTensors.f32View(lse);
        float[] ga = CpuTensors.f32View(dOut);
        float[] bias = spec.bias() == null ? null : CpuTensors.f32View(spec.bias());
        float[] dq = new float[qa.length];
        float[] dk = new float[ka.length];
        float[] dvv = new float[va.length];
        TimeWindow win = spec.window();
        float scale = spec.scale();
        be.pool().forRange(batch * heads, 1, (lo, hi) -> {
            float[] dqRow = new float[d];
            float[] lanes = new float[L];
            for (int bh = lo; bh < hi; bh++) {
                int b = bh / heads;
                int h = bh % heads;
                int keyEnd = spec.keyLengths() == null ? lk : Math.clamp(spec.keyLengths()[b], 0, lk);
                for (int i = 0; i < lq; i++) {
                    float l = la[bh * lq + i];
                    if (l == Float.NEGATIVE_INFINITY) {
                        continue;
                    }
                    int ks = 0;
                    int ke = lk;
                    if (win != null) {
                        int f = i / win.tokensPerFrame();
                        ks = win.keyFrameStart(f) * win.tokensPerFrame();
                        ke = win.keyFrameEnd(f) * win.tokensPerFrame();
                    }
                    ke = Math.min(ke, keyEnd);
                    int qo = ((b * lq + i) * heads + h) * d;
                    int oo = ((b * lq + i) * heads + h) * dv;
                    float rowDot = dot(ga, oo, oa, oo, dv, lanes);
                    Arrays.fill(dqRow, 0f);
                    int biasRow = (h * lq + i) * lk;
                    for (int j = ks; j < ke; j++) {
                        int ko = ((b * lk + j) * heads + h) * d;
                        int vo = ((b * lk + j) * heads + h) * dv;
                        float sc = scale * dot(qa, qo, ka, ko, d, lanes);
                        if (bias != null) {
                            sc += bias[biasRow + j];
                        }
                        float p = (float) Math.exp(sc - l);
                        float ds = p * (dot(ga, oo, va, vo, dv, lanes) - rowDot) * scale;
                        axpy(p, ga, oo, dvv, vo, dv);
                        axpy(ds, ka, ko, dqRow, 0, d);
                        axpy(ds, qa, qo, dk, ko, d);
                    }
                    System.arraycopy(dqRow, 0, dq, qo, d);
                }
            }
        });
        return new AttentionGrads(be.wrap(dq, q.shape()), be.wrap(dk, k.shape()), be.wrap(dvv, v.shape()));
    }

    /**
     * a[ao..ao+n) . b[bo..bo+n): lane-wise FMAs, then the lanes summed in order (by hand:
     * reduceLanes(ADD) may associate differently compiled than interpreted, which made results
     * depend on JIT timing), then the tail in order.
     */
    private static float dot(float[] a, int ao, float[] b, int bo, int n, float[] lanes) {
        int i = 0;
        FloatVector acc = FloatVector.zero(S);
        for (int end = S.loopBound(n); i < end; i += L) {
            acc = FloatVector.fromArray(S, a, ao + i).fma(FloatVector.fromArray(S, b, bo + i), acc);
        }
        acc.intoArray(lanes, 0);
        float sum = 0f;
        for (int c = 0; c < L; c++) {
            sum += lanes[c];
        }
        for (; i < n; i++) {
            sum = Math.fma(a[ao + i], b[bo + i], sum);
        }
        return sum;
    }

    /** y[yo..yo+n) += alpha x[xo..xo+n), one FMA per element. */
    private static void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        FloatVector va = FloatVector.broadcast(S, alpha);
        for (int end = S.loopBound(n); i < end; i += L) {
            FloatVector.fromArray(S, x, xo + i).fma(va, FloatVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = Math.fma(alpha, x[xo + i], y[yo + i]);
        }
    }
}
