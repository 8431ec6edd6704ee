package dev.surf.models.vae.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.grad.Tape;
import dev.surf.core.grad.Variable;
import dev.surf.core.testing.Numerics;
import dev.surf.models.vae.WanVaeConfig;
import dev.surf.models.vae.WanVaeDecoder;
import dev.surf.models.vae.WanVaeEncoder;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Gradients of the taped Wan-VAE against central differences of the F32 inference encoder and decoder. */
class VaeTrainGradientTest {
    /** Base width 4, one residual block per level: every module kind (shortcuts, both time resamplers, attention). */
    static final WanVaeConfig MICRO = new WanVaeConfig(8, 16, new int[] {1, 1, 1, 1}, 1, new boolean[] {false, true, true});

    private static CpuBackend be;

    @BeforeAll
    static void open() {
        be = new CpuBackend(2);
    }

    @AfterAll
    static void close() {
        be.close();
    }

    /** <g_mu, enc(x)> + <g_out, dec(enc(x))> with the inference modules, in double from their F32 outputs. */
    private static double inferenceLoss(Map<String, float[]> w, float[] x, Shape xs, float[] gMu, float[] gOut) throws Exception {
        try (WanVaeEncoder enc = WanVaeEncoder.load(new FloatWeights(w), be, MICRO);
             WanVaeDecoder dec = WanVaeDecoder.load(new FloatWeights(w), be, MICRO);
             Tensor v = be.fromFloats(x, xs); Tensor mu = enc.encode(v); Tensor out = dec.decodeAll(mu, false)) {
            return dot(gMu, be.toFloats(mu)) + dot(gOut, be.toFloats(out));
        }
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    /**
     * For x and for every parameter tensor p, the derivative of the loss along a random unit
     * direction d (the tape's <grad, d>) against the Richardson-extrapolated central difference
     * (4 D(h/2) - D(h)) / 3, D(h) = (L(p + h d) - L(p - h d)) / 2h, of the F32 inference forward
     * (no double-precision VAE exists to difference instead). h = 4e-3: the extrapolation removes the
     * h^2 term, and the F32 noise of L (about 5e-5 here) contributes ~1e-2 / the derivative's scale.
     * Bound per tensor: 1e-3 of |derivative| plus 2e-4 of the largest derivative (measured: at most
     * 0.5 of that bound for width 8; at width 4 the channel RMS norms of 4-vectors that come near zero
     * make L too curved for any step F32 noise allows, which is why the micro model has width 8).
     */
    @Test
    void gradientsMatchCentralDifferencesOfTheInferenceForward() throws Exception {
        Shape xs = Shape.of(3, 5, 8, 16);
        Map<String, Tensor> params = VaeTrainForwardTest.randomParameters(be, MICRO, 11);
        Map<String, float[]> host = new TreeMap<>();
        params.forEach((k, v) -> host.put(k, be.toFloats(v)));
        float[] x = Numerics.uniform(new SplittableRandom(3), (int) xs.numel(), 1.0);
        float[] gMu;
        float[] gOut;
        Map<String, Double> analytic = new TreeMap<>();
        Map<String, float[]> dirs = new HashMap<>();
        SplittableRandom rnd = new SplittableRandom(7);
        VaeTrainForward f = new VaeTrainForward(MICRO);
        try (Tape tape = new Tape(be); Tensor xt = be.fromFloats(x, xs)) {
            VaeTapeParams p = new VaeTapeParams(tape, params, n -> true);
            Variable xv = tape.input(xt, true);
            Variable mu = f.encode(p, xv);
            Variable out = f.decode(p, mu);
            gMu = Numerics.uniform(rnd, (int) mu.shape().numel(), 1.0);
            gOut = Numerics.uniform(rnd, (int) out.shape().numel(), 1.0);
            Variable loss = tape.add(dotVar(tape, mu, gMu), dotVar(tape, out, gOut));
            tape.backward(loss);
            Map<String, Tensor> grads = p.gradients();
            dirs.put("x", unit(rnd, x.length));
            analytic.put("x", dot(be.toFloats(xv.grad()), dirs.get("x")));
            for (String name : host.keySet()) {
                float[] d = unit(rnd, host.get(name).length);
                dirs.put(name, d);
                Tensor g = grads.get(name);
                analytic.put(name, g == null ? 0 : dot(be.toFloats(g), d));
            }
        } finally {
            VaeTrainForwardTest.closeAll(params);
        }
        double h = Double.parseDouble(System.getProperty("vae.fd.h", "4e-3"));
        Map<String, Double> fd = new TreeMap<>();
        for (String name : analytic.keySet()) {
            // Richardson: (4 D(h/2) - D(h)) / 3 cancels the h^2 term of the central difference D
            double coarse = centralDifference(name, h, dirs.get(name), host, x, xs, gMu, gOut);
            double fine = centralDifference(name, h / 2, dirs.get(name), host, x, xs, gMu, gOut);
            fd.put(name, (4 * fine - coarse) / 3);
        }
        double scale = fd.values().stream().mapToDouble(Math::abs).max().orElseThrow();
        double worst = 0;
        String worstName = "";
        for (String name : analytic.keySet()) {
            double a = analytic.get(name);
            double e = fd.get(name);
            double err = Math.abs(a - e) / (1e-3 * Math.abs(e) + 2e-4 * scale);
            if (Boolean.getBoolean("vae.fd.print")) {
                System.out.printf("%-45s %14.6g %14.6g %8.3f%n", name, a, e, err);
            }
            if (err > worst) {
                worst = err;
                worstName = name;
            }
        }
        System.out.printf("VAE gradient check: %d directional derivatives, largest %.4g, worst %s: tape %.6g vs FD %.6g"
                + " (%.2f of the bound)%n", analytic.size(), scale, worstName, analytic.get(worstName), fd.get(worstName), worst);
        assertTrue(worst <= 1, worstName + ": tape " + analytic.get(worstName) + " vs central difference " + fd.get(worstName));
    }

    /** (L(p + h d) - L(p - h d)) / 2h for the parameter (or "x") of that name, with the inference modules. */
    private static double centralDifference(String name, double h, float[] d, Map<String, float[]> host, float[] x, Shape xs,
                                            float[] gMu, float[] gOut) throws Exception {
        float[] base = name.equals("x") ? x : host.get(name);
        double[] l = new double[2];
        for (int s = 0; s < 2; s++) {
            float[] moved = base.clone();
            for (int i = 0; i < moved.length; i++) {
                moved[i] += (float) ((s == 0 ? h : -h) * d[i]);
            }
            Map<String, float[]> w = host;
            float[] xm = x;
            if (name.equals("x")) {
                xm = moved;
            } else {
                w = new HashMap<>(host);
                w.put(name, moved);
            }
            l[s] = inferenceLoss(w, xm, xs, gMu, gOut);
        }
        return (l[0] - l[1]) / (2 * h);
    }

    /** <v, g> as a taped scalar: sum(v * g) = mse-free form via a mul with a constant and a 1 x n linear. */
    private static Variable dotVar(Tape tape, Variable v, float[] g) {
        int n = (int) v.shape().numel();
        Variable flat = tape.view(v, 1, n);
        Variable w = tape.ownedConstant(be.fromFloats(g, Shape.of(1, n)));
        return tape.view(tape.linear(flat, w, null, dev.surf.core.Activation.NONE), 1);
    }

    private static float[] unit(SplittableRandom rnd, int n) {
        float[] d = new float[n];
        double s = 0;
        for (int i = 0; i < n; i++) {
            d[i] = (float) rnd.nextGaussian();
            s += (double) d[i] * d[i];
        }
        float inv = (float) (1 / Math.sqrt(s));
        for (int i = 0; i < n; i++) {
            d[i] *= inv;
        }
        return d;
    }
}
