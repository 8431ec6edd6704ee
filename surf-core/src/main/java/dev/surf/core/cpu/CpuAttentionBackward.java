package dev.surf.core.cpu;

import dev.surf.core.AttentionGrads;
import dev.surf.core.AttentionSpec;
import dev.surf.core.BackwardChecks;
import dev.surf.core.Tensor;
import dev.surf.core.TimeWindow;

/**
 * Attention backward with recomputation (flash-attention style): the probabilities of query row i
 * are rebuilt from its saved log-sum-exp, p_ij = exp(scale q_i.k_j + bias_ij - lse_i), over exactly
 * the keys the forward let it see (key length, time window), and
 * <pre>dv_j += p_ij dO_i,  ds_ij = p_ij (dO_i.v_j - dO_i.O_i),  dq_i = scale sum_j ds_ij k_j,  dk_j += scale ds_ij q_i.</pre>
 * Work is split over (batch item, head): each task owns its rows of dq, dk and dv and visits queries
 * and keys in order, so the result does not depend on the thread count. Scores and dq rows are
 * accumulated in double; dk and dv in F32 in query order.
 */
final class CpuAttentionBackward {
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
        double scale = spec.scale();
        be.pool().forRange(batch * heads, 1, (lo, hi) -> {
            double[] dqRow = new double[d];
            for (int bh = lo; bh < hi; bh++) {
                int b = bh / heads;
                int h = bh % heads;
                int keyEnd = spec.keyLengths() == null ? lk : Math.clamp(spec.keyLengths()[b], 0, lk);
                for (int i = 0; i < lq; i++) {
                    double l = la[bh * lq + i];
                    if (l == Double.NEGATIVE_INFINITY) {
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
                    double rowDot = 0;
                    for (int c = 0; c < dv; c++) {
                        rowDot += (double) ga[oo + c] * oa[oo + c];
                    }
                    java.util.Arrays.fill(dqRow, 0);
                    for (int j = ks; j < ke; j++) {
                        int ko = ((b * lk + j) * heads + h) * d;
                        int vo = ((b * lk + j) * heads + h) * dv;
                        double s = 0;
                        for (int c = 0; c < d; c++) {
                            s += (double) qa[qo + c] * ka[ko + c];
                        }
                        s *= scale;
                        if (bias != null) {
                            s += bias[(h * lq + i) * lk + j];
                        }
                        double p = Math.exp(s - l);
                        double dp = 0;
                        for (int c = 0; c < dv; c++) {
                            dp += (double) ga[oo + c] * va[vo + c];
                            dvv[vo + c] += (float) (p * ga[oo + c]);
                        }
                        double ds = p * (dp - rowDot) * scale;
                        for (int c = 0; c < d; c++) {
                            dqRow[c] += ds * ka[ko + c];
                            dk[ko + c] += (float) (ds * qa[qo + c]);
                        }
                    }
                    for (int c = 0; c < d; c++) {
                        dq[qo + c] = (float) dqRow[c];
                    }
                }
            }
        });
        return new AttentionGrads(be.wrap(dq, q.shape()), be.wrap(dk, k.shape()), be.wrap(dvv, v.shape()));
    }
}
