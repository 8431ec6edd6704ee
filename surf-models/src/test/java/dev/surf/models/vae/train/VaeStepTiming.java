package dev.surf.models.vae.train;

import dev.surf.core.Backend;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.optim.AdamW;
import dev.surf.core.optim.LrSchedule;
import dev.surf.core.testing.Conv3dGradReference;
import dev.surf.models.api.TinyModels;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Measurement, not a test: seconds per VaeTrainer step of the tiny VAE on flat-colour crops and how
 * the time splits over Backend ops (conv3d forward vs its two gradients, the rest), through a proxy
 * Backend that times every call. Run with the test classpath:
 * {@code java ... dev.surf.models.vae.train.VaeStepTiming THREADS SIZE FRAMES BATCH STEPS}.
 */
public final class VaeStepTiming {
    private VaeStepTiming() {
    }

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int frames = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int batch = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        int steps = args.length > 4 ? Integer.parseInt(args[4]) : 4;
        // "loops": the conv3d gradients as the former direct double loops (Conv3dGradReference), for a before/after
        boolean loops = args.length > 5 && args[5].equals("loops");
        Map<String, long[]> time = new TreeMap<>();
        try (CpuBackend cpu = new CpuBackend(threads)) {
            InvocationHandler h = (proxy, m, a) -> {
                long t0 = System.nanoTime();
                try {
                    if (loops && m.getName().equals("conv3dGradInput")) {
                        return reference(cpu, true, a);
                    }
                    if (loops && m.getName().equals("conv3dGradWeight")) {
                        return reference(cpu, false, a);
                    }
                    return m.invoke(cpu, a);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                } finally {
                    long[] s = time.computeIfAbsent(m.getName(), k -> new long[2]);
                    s[0] += System.nanoTime() - t0;
                    s[1]++;
                }
            };
            Backend be = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, h);
            VaeTrainer.Config c = new VaeTrainer.Config(AdamW.Config.torchDefaults(1e-3), LrSchedule.constant(1e-3, 0), 1.0, batch,
                    size, size, frames, 0.1, 1);
            try (VaeTrainer t = new VaeTrainer(TinyModels.VAE, be, new VaeInit(1), c, new ConstantClips(frames, size, 6))) {
                t.step(); // warm-up (JIT), not counted
                time.clear();
                double fwd = 0;
                double bwd = 0;
                long t0 = System.nanoTime();
                for (int i = 0; i < steps; i++) {
                    VaeTrainer.Losses l = t.step();
                    fwd += l.forwardSeconds();
                    bwd += l.backwardSeconds();
                }
                double total = (System.nanoTime() - t0) / 1e9;
                System.out.printf(Locale.ROOT, "tiny VAE (width 8), %dx%d x %d frames, batch %d, cpu %d threads%s: %.3f s/step"
                        + " (forward + loss %.3f, backward + AdamW %.3f)%n", size, size, frames, batch, threads,
                        loops ? ", conv gradients as double loops" : "", total / steps,
                        fwd / steps, bwd / steps);
                long all = time.values().stream().mapToLong(v -> v[0]).sum();
                time.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue()[0], x.getValue()[0])).limit(12)
                        .forEach(e -> System.out.printf(Locale.ROOT, "  %-22s %8.3f s/step %5.1f%%  (%d calls/step)%n", e.getKey(),
                                e.getValue()[0] / 1e9 / steps, 100.0 * e.getValue()[0] / all, e.getValue()[1] / steps));
                System.out.printf(Locale.ROOT, "  (Backend calls %.3f s/step of %.3f)%n", all / 1e9 / steps, total / steps);
            }
        }
    }

    /**
     * A conv3d gradient by the double-loop reference; a = (dy, w or x, padFront, padH, padW):
     * dx [Cin, T, H, W] for conv3dGradInput, dw [Cout, Cin, kt, kh, kw] for conv3dGradWeight.
     */
    private static Tensor reference(Backend be, boolean input, Object[] a) {
        Tensor dy = (Tensor) a[0];
        Tensor o = (Tensor) a[1];
        int pf = (Integer) a[2];
        int ph = (Integer) a[3];
        int pw = (Integer) a[4];
        if (input) {
            Shape s = Shape.of(o.dim(1), dy.dim(1) - pf + o.dim(2) - 1, dy.dim(2) - 2 * ph + o.dim(3) - 1, dy.dim(3) - 2 * pw + o.dim(4) - 1);
            return be.fromFloats(Conv3dGradReference.gradInput(be, dy, o, pf, ph, pw), s);
        }
        Shape s = Shape.of(dy.dim(0), o.dim(0), o.dim(1) + pf - dy.dim(1) + 1, o.dim(2) + 2 * ph - dy.dim(2) + 1,
                o.dim(3) + 2 * pw - dy.dim(3) + 1);
        return be.fromFloats(Conv3dGradReference.gradWeight(be, dy, o, pf, ph, pw), s);
    }
}
