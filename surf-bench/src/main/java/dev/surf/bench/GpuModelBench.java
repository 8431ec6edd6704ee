package dev.surf.bench;

import dev.surf.core.Backend;
import dev.surf.core.Backends;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.bench.lab.TapConvBackend;
import dev.surf.cuda.CudaBackend;
import dev.surf.models.api.TextEmbedding;
import dev.surf.models.flops.FlopModel;
import dev.surf.models.t5.T5Encoder;
import dev.surf.models.t5.UmT5Config;
import dev.surf.models.vae.WanVaeConfig;
import dev.surf.models.vae.WanVaeDecoder;
import dev.surf.models.wan.TextContext;
import dev.surf.models.wan.WanConfig;
import dev.surf.models.wan.WanModel;
import dev.surf.models.weights.RandomWeights;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Model-level timings on a device, the Java side of surf-bench/peer/wan_official_peer.py: one Wan 2.1
 * T2V-1.3B forward at 832x480x81 (latent 16x21x60x104, 77 text rows) and a Wan-VAE decode of the same
 * latent (or fewer latent frames with --vae-frames), and umT5-XXL encoding 512 tokens, all with random weights. Median of individually synchronised repetitions after warm-up.
 * Prints RESULT,op,shape,ms,tflops lines.
 *
 * <pre>.gpu/run.sh java dev.surf.bench.GpuModelBench [--device cuda] [--reps N] [--only forward|vae|t5] [--vae-frames N]
 *     [--vae-conv taps|taps-bf16|taps-bf16x3] [--profile]</pre>
 *
 * <p>The VAE's convolutions run on the backend's conv3d (on CUDA the kernel -Dsurf.cuda.conv names,
 * igemm by default), or with --vae-conv on the lab's tap-GEMM convolutions ({@link TapConvBackend}).
 *
 * <p>With --profile each model runs once more after its timed runs, with every kernel timed by CUDA
 * events ({@link dev.surf.cuda.CudaControls#profileReport}) and the main thread's stack sampled every 5 ms
 * ({@link HostSampler}); both tables are printed. That run is not part of the RESULT line.
 */
public final class GpuModelBench {
    /** --profile: one more run after the timed ones, with kernel times and host stack samples. */
    private static boolean profile;

    private GpuModelBench() {
    }

    public static void main(String[] args) throws Exception {
        String device = "cuda";
        int reps = 5;
        String only = "";
        int vaeFrames = 21;
        String vaeConv = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--device" -> device = args[++i];
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--only" -> only = args[++i];
                case "--vae-frames" -> vaeFrames = Integer.parseInt(args[++i]);
                case "--vae-conv" -> vaeConv = args[++i];
                case "--profile" -> profile = true;
                default -> {
                    System.err.println("usage: GpuModelBench [--device SPEC] [--reps N] [--only forward|vae|t5] [--vae-frames N] "
                            + "[--vae-conv taps|taps-bf16|taps-bf16x3] [--profile]");
                    System.exit(2);
                }
            }
        }
        Backend opened;
        try {
            opened = Backends.open(device);
        } catch (IllegalArgumentException e) {
            System.err.println("GpuModelBench: " + e.getMessage());
            System.exit(1);
            return;
        }
        try (Backend be = opened) {
            System.out.println("device: " + be.name());
            if (only.isEmpty() || only.equals("forward")) {
                forward(be, reps);
            }
            if (only.isEmpty() || only.equals("vae")) {
                vae(be, Math.max(2, reps / 2), vaeFrames, vaeConv);
            }
            if (only.isEmpty() || only.equals("t5")) {
                t5(be, reps);
            }
        }
    }

    private static void forward(Backend be, int reps) throws Exception {
        WanConfig c = WanConfig.T2V_1_3B;
        try (WanModel m = WanModel.load(new RandomWeights(1), be, c);
             Tensor x = be.empty(DType.F32, Shape.of(16, 21, 60, 104));
             Tensor ctx = TextEmbedding.standIn("x", c.textDim(), 77).upload(be);
             TextContext text = m.prepareText(List.of(ctx))) {
            be.fillNormal(x, 3, 0);
            Runnable run = () -> {
                try (Tensor v = m.forward(x, new float[] {999f}, text)) {
                    be.synchronize();
                }
            };
            double ms = median(be, run, 2, reps);
            double flops = FlopModel.forward(c, 21, 60, 104, 0).total();
            System.out.printf(Locale.ROOT, "RESULT,wan13b_forward,1x16x21x60x104,%.3f,%.1f%n", ms, flops / (ms * 1e-3) / 1e12);
        }
    }

    private static void vae(Backend be, int reps, int frames, String conv) throws Exception {
        Backend convs = conv == null ? be : TapConvBackend.wrap(be, conv, null);
        try (WanVaeDecoder d = WanVaeDecoder.load(new RandomWeights(4), convs, WanVaeConfig.WAN21);
             Tensor z = be.empty(DType.F32, Shape.of(16, frames, 60, 104))) {
            be.fillNormal(z, 5, 0);
            Runnable run = () -> {
                try {
                    d.decode(z, (chunk, first) -> {
                    });
                    be.synchronize();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            };
            double ms = median(be, run, 1, reps);
            System.out.println("# vae conv3d: " + (conv != null ? conv + " (lab)"
                    : be instanceof CudaBackend cuda ? cuda.controls().settings().conv() : "the backend's"));
            double flops = FlopModel.vaeDecode(WanVaeConfig.WAN21, frames, 60, 104);
            System.out.printf(Locale.ROOT, "RESULT,vae_decode,16x%dx60x104,%.1f,%.1f%n", frames, ms, flops / (ms * 1e-3) / 1e12);
        }
    }

    /** umT5-XXL (24 blocks, 5.7e9 parameters as bf16) encoding one 512-token prompt, as the official pipeline pads it. */
    private static void t5(Backend be, int reps) throws Exception {
        UmT5Config c = UmT5Config.XXL;
        try (T5Encoder enc = T5Encoder.load(new RandomWeights(6), be, c)) {
            int[] ids = new int[512];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = 2 + (int) ((i * 7919L) % (c.vocab() - 2));
            }
            Runnable run = () -> {
                try (Tensor out = enc.forward(ids, 1, new int[] {512})) {
                    be.synchronize();
                }
            };
            double ms = median(be, run, 1, reps);
            double d = c.dim();
            double flops = c.numLayers() * (2 * 512 * (4 * d * d + 3 * d * c.dimFfn()) + 4.0 * 512 * 512 * d);
            System.out.printf(Locale.ROOT, "RESULT,umt5xxl_encode,512_tokens,%.2f,%.1f%n", ms, flops / (ms * 1e-3) / 1e12);
        }
    }

    private static double median(Backend be, Runnable run, int warmup, int reps) throws InterruptedException {
        for (int i = 0; i < warmup; i++) {
            run.run();
        }
        List<Double> t = new ArrayList<>();
        for (int i = 0; i < reps; i++) {
            long s = System.nanoTime();
            run.run();
            t.add((System.nanoTime() - s) / 1e6);
        }
        System.out.println("# run ms: " + t.stream().map(v -> String.format(Locale.ROOT, "%.1f", v)).toList());
        if (profile) {
            profiled(be, run);
        }
        Collections.sort(t);
        return t.get(t.size() / 2);
    }

    private static void profiled(Backend be, Runnable run) throws InterruptedException {
        if (!(be instanceof CudaBackend cuda)) {
            System.out.println("# --profile: kernel times need the CUDA backend; " + be.name() + " has none");
            return;
        }
        cuda.controls().setProfiling(true);
        long s = System.nanoTime();
        try (HostSampler host = new HostSampler(Thread.currentThread(), 5)) {
            run.run();
            System.out.printf(Locale.ROOT, "# profiled run: %.1f ms wall%n", (System.nanoTime() - s) / 1e6);
            System.out.print(cuda.controls().profileReport());
            System.out.print(host.report(15));
        } finally {
            cuda.controls().setProfiling(false);
        }
    }
}
