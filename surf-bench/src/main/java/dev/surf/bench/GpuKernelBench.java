package dev.surf.bench;

import dev.surf.core.Activation;
import dev.surf.core.AttentionSpec;
import dev.surf.core.Backends;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.TimeWindow;
import dev.surf.bench.lab.TapConvBackend;
import dev.surf.bench.lab.TapGemmConv3d;
import dev.surf.cuda.AttentionPath;
import dev.surf.cuda.ConvPath;
import dev.surf.cuda.CudaBackend;
import dev.surf.cuda.CudaBackendProvider;
import dev.surf.cuda.CudaControls;
import dev.surf.cuda.DeviceCaps;
import dev.surf.cuda.GemmPath;
import dev.surf.cuda.NormPath;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Times the CUDA kernels on the shapes that matter for Wan 2.1 1.3B at 832x480x81 (L = 32760 tokens,
 * 12 heads of 128, width 1536, FFN 8960), the GEMM ceiling shape 8192^3 and the Wan-VAE decoder's
 * convolutions at 480p (F32; the conv_* rows use the implicit-GEMM TF32 kernel, conv_direct_* the
 * direct one, conv_*_taps* the lab's tap-GEMM convolutions, {@link TapGemmConv3d}), with CUDA events: warm-up
 * runs first, then the median of batched repetitions (below). Inputs are Philox normals (never
 * zeros). Prints a table and one machine-readable line per measurement,
 * {@code RESULT,op,shape,ms,tflops}, which surf-bench/peer/run.sh joins with torch_peer.py's lines.
 *
 * <p>Rows ending in {@code _persistent}, {@code _pingpong}, {@code _wgmma} and {@code _wgmma_simple}
 * force one Hopper kernel or schedule (cuda/gemm_persistent.cu, cuda/attention_wgmma.cu) on the same
 * shapes as the rows without the suffix ({@link CudaControls} forces them); they are skipped where the
 * device cannot run them. {@code norm_*_block} and
 * {@code norm_*_warp} force the two norm kernel families (cuda/norms.cu); the norm rows report TB/s
 * of bytes moved in the TFLOP/s column.
 *
 * <p>Each of the {@code --reps} samples times {@code --batch} back-to-back calls between two CUDA events
 * and divides by the batch (default 10), as torch_peer.py does: a single call between events also
 * times the host's work before its launch, which was up to 0.4 ms per GEMM while the JIT is cold
 * (H100, 2026-11-22: 1.83 ms per call against 1.47 ms for the kernel alone at 8192^3). The reported
 * time is the median sample.
 *
 * <p>Rows starting with {@code grad_} time the gradient kernels of training (issue 18: the input and
 * weight gradients of the q/k/v/o projection, the adaLN LayerNorm backward, the cross-attention
 * backward; dy F32 as the tape passes it, BF16 weights and activations). Those kernels are the simple
 * first versions, so the rows run only when {@code --only} selects them ({@code --only grad_}), not in a
 * default run.
 *
 * <pre>java dev.surf.bench.GpuKernelBench [--reps N] [--warmup N] [--batch N] [--only SUBSTRING] [--device N]</pre>
 */
public final class GpuKernelBench {
    private static final int L = 32760;
    private static final int FRAMES = 21;
    private static final int TOKENS_PER_FRAME = 1560;

    private final CudaBackend be;
    private final CudaControls ctl;
    private final DeviceCaps caps;
    private final int reps;
    private final int warmup;
    private final int batch;
    private final String only;
    private final List<String> rows = new ArrayList<>();

    private GpuKernelBench(CudaBackend be, int reps, int warmup, int batch, String only) {
        this.be = be;
        this.ctl = be.controls();
        this.caps = ctl.caps();
        this.reps = reps;
        this.warmup = warmup;
        this.batch = batch;
        this.only = only;
    }

    public static void main(String[] args) {
        int reps = 10;
        int warmup = 3;
        int batch = 10;
        String only = "";
        int device = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--only" -> only = args[++i];
                case "--device" -> device = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: GpuKernelBench [--reps N] [--warmup N] [--batch N] [--only SUBSTRING] [--device N]");
                    System.exit(2);
                }
            }
        }
        String why = new CudaBackendProvider().unavailableReason();
        if (why != null) {
            System.err.println("GpuKernelBench: CUDA unavailable: " + why);
            System.exit(1);
        }
        try (CudaBackend be = (CudaBackend) Backends.open("cuda:" + device)) {
            System.out.println("device: " + be.name() + " (" + be.controls().caps() + ")");
            System.out.println("settings: " + be.controls().settings());
            new GpuKernelBench(be, reps, warmup, batch, only).run();
        }
    }

    private void run() {
        gemm("gemm", 8192, 8192, 8192, Activation.NONE, GemmPath.AUTO);
        gemm("gemm_mma", 8192, 8192, 8192, Activation.NONE, GemmPath.MMA);
        for (GemmPath path : new GemmPath[] {GemmPath.AUTO,
                GemmPath.PERSISTENT, GemmPath.PINGPONG}) {
            String suffix = path == GemmPath.AUTO ? "" : "_" + path.name().toLowerCase(Locale.ROOT);
            if (path != GemmPath.AUTO) {
                gemm("gemm" + suffix, 8192, 8192, 8192, Activation.NONE, path);
            }
            gemm("gemm_qkvo" + suffix, L, 1536, 1536, Activation.NONE, path);
            gemm("gemm_ffn_up" + suffix, L, 1536, 8960, Activation.GELU_TANH, path);
            gemm("gemm_ffn_down" + suffix, L, 8960, 1536, Activation.NONE, path);
            residual("gemm_residual" + suffix, L, 1536, 1536, path);
        }
        for (NormPath path : NormPath.values()) {
            String suffix = path == NormPath.AUTO ? "" : "_" + path.name().toLowerCase(Locale.ROOT);
            norm("norm_adaln" + suffix, path);
            norm("norm_rms" + suffix, path);
        }
        AttentionPath auto = AttentionPath.AUTO;
        TimeWindow win3 = new TimeWindow(FRAMES, TOKENS_PER_FRAME, 3, 0);
        TimeWindow win3s1 = new TimeWindow(FRAMES, TOKENS_PER_FRAME, 3, 1);
        for (AttentionPath path : new AttentionPath[] {auto, AttentionPath.WGMMA,
                AttentionPath.WGMMA_SIMPLE}) {
            String suffix = path == auto ? "" : "_" + path.name().toLowerCase(Locale.ROOT);
            attention("attn_full" + suffix, null, path);
            attention("attn_win3" + suffix, win3, path);
            attention("attn_win3_shift1" + suffix, win3s1, path);
            attention("attn_cross" + suffix, null, path);
        }
        // Wan-VAE decoder convolutions in a steady-state chunk (one latent frame -> 4 video frames):
        // input = 2 cached frames + the chunk's frames, so no front padding; FLOPs count every tap
        conv("conv_vae96", 96, 6, 480, 832, 96, 3, 3, 3, ConvPath.IGEMM);
        conv("conv_vae192", 192, 6, 240, 416, 192, 3, 3, 3, ConvPath.IGEMM);
        conv("conv_vae384", 384, 4, 120, 208, 384, 3, 3, 3, ConvPath.IGEMM);
        conv("conv_up192", 192, 4, 480, 832, 96, 1, 3, 3, ConvPath.IGEMM);
        conv("conv_time384", 384, 3, 120, 208, 768, 3, 1, 1, ConvPath.IGEMM);
        conv("conv_head", 96, 6, 480, 832, 3, 3, 3, 3, ConvPath.IGEMM);
        conv("conv_direct_vae384", 384, 4, 120, 208, 384, 3, 3, 3, ConvPath.DIRECT);
        // the lab: the same shapes composed of GEMM and copy kernels (TapGemmConv3d), BF16, split-BF16 and F32
        // operands (the row names of the former TAPS_BF16, TAPS_BF16X3 and TAPS paths)
        for (String taps : new String[] {"taps-bf16", "taps-bf16x3", "taps"}) {
            String suffix = "_" + taps.replace('-', '_');
            conv("conv_vae96" + suffix, 96, 6, 480, 832, 96, 3, 3, 3, taps);
            conv("conv_vae192" + suffix, 192, 6, 240, 416, 192, 3, 3, 3, taps);
            conv("conv_vae384" + suffix, 384, 4, 120, 208, 384, 3, 3, 3, taps);
            conv("conv_up192" + suffix, 192, 4, 480, 832, 96, 1, 3, 3, taps);
            conv("conv_time384" + suffix, 384, 3, 120, 208, 768, 3, 1, 1, taps);
            conv("conv_head" + suffix, 96, 6, 480, 832, 3, 3, 3, 3, taps);
        }
        gradLinear("grad_linear_dx_qkvo", L, 1536, 1536);
        gradLinear("grad_linear_dw_qkvo", L, 1536, 1536);
        gradNorm("grad_norm_adaln");
        gradAttention("grad_attn_cross");
        System.out.println();
        System.out.printf(Locale.ROOT, "%-26s %-26s %10s %10s%n", "op", "shape", "ms", "TFLOP/s");
        for (String r : rows) {
            String[] f = r.split(",");
            System.out.printf(Locale.ROOT, "%-26s %-26s %10s %10s%n", f[1], f[2], f[3], f[4]);
        }
    }

    private boolean skip(String op) {
        return !only.isEmpty() && !op.contains(only);
    }

    private Tensor normal(DType dt, long seed, int... dims) {
        Tensor t = be.empty(dt, Shape.of(dims));
        be.fillNormal(t, seed, 0);
        return t;
    }

    /** Median device milliseconds per call of {@code work} (samples of {@code batch} calls) after the warm-up runs. */
    private double time(Runnable work) {
        for (int i = 0; i < warmup; i++) {
            work.run();
        }
        be.synchronize();
        double[] ms = new double[reps];
        for (int i = 0; i < reps; i++) {
            ms[i] = ctl.elapsedMs(() -> {
                for (int j = 0; j < batch; j++) {
                    work.run();
                }
            }) / batch;
        }
        Arrays.sort(ms);
        return reps % 2 == 1 ? ms[reps / 2] : (ms[reps / 2 - 1] + ms[reps / 2]) / 2;
    }

    private void report(String op, String shape, double ms, double flops) {
        String line = String.format(Locale.ROOT, "RESULT,%s,%s,%.4f,%.1f", op, shape, ms, flops / (ms * 1e-3) / 1e12);
        System.out.println(line);
        rows.add(line);
    }

    private void gemm(String op, int m, int k, int n, Activation act, GemmPath path) {
        if (skip(op) || (path == GemmPath.MMA && !caps.hasWgmma())
                || (path.persistent() && !caps.hasGemmPersistent())) {
            return;  // gemm_mma is only interesting where AUTO would pick wgmma
        }
        try (Tensor x = normal(DType.BF16, 1, m, k); Tensor w = normal(DType.BF16, 2, n, k); Tensor b = normal(DType.F32, 3, n)) {
            ctl.setGemmPath(path);
            // the 8192^3 ceiling runs are plain x W^T; the DiT shapes carry their bias
            boolean ceiling = op.matches("gemm(_mma|_persistent|_pingpong)?");
            Tensor bias = ceiling ? null : b;
            double ms = time(() -> be.linear(x, w, bias, act).close());
            ctl.setGemmPath(GemmPath.AUTO);
            report(op, m + "x" + k + "x" + n, ms, 2.0 * m * n * k);
        }
    }

    private void residual(String op, int m, int k, int n, GemmPath path) {
        if (skip(op) || (path.persistent() && !caps.hasGemmPersistent())) {
            return;
        }
        try (Tensor x = normal(DType.BF16, 4, m, k); Tensor w = normal(DType.BF16, 5, n, k); Tensor b = normal(DType.F32, 6, n);
             Tensor gate = normal(DType.F32, 7, 1, n); Tensor r = normal(DType.F32, 8, 1, m, n)) {
            Tensor x3 = x.view(1, m, k);
            ctl.setGemmPath(path);
            double ms = time(() -> be.linearResidual(r, x3, w, b, gate));
            ctl.setGemmPath(GemmPath.AUTO);
            report(op, m + "x" + k + "x" + n, ms, 2.0 * m * n * k);
        }
    }

    /**
     * The DiT's norms on [L, 1536]: norm_adaln is LayerNorm with adaLN modulation, F32 in and BF16 out
     * (norm1 / norm2 of a block), norm_rms the RMSNorm of q or k, BF16 in and out, F32 weight. Memory
     * bound, so the "TFLOP/s" column of these rows is TB/s of bytes read and written.
     */
    private void norm(String op, NormPath path) {
        if (skip(op)) {
            return;
        }
        int d = 1536;
        boolean ada = op.startsWith("norm_adaln");
        try (Tensor x = normal(ada ? DType.F32 : DType.BF16, 15, 1, L, d); Tensor shift = normal(DType.F32, 16, 1, d);
             Tensor scale = normal(DType.F32, 17, 1, d); Tensor w = normal(DType.F32, 18, d)) {
            ctl.setNormPath(path);
            double ms = ada ? time(() -> be.layerNormModulate(x, shift, scale, 1e-6f, DType.BF16).close())
                    : time(() -> be.rmsNorm(x, w, 1e-6f).close());
            ctl.setNormPath(NormPath.AUTO);
            double bytes = (double) L * d * ((ada ? 4 : 2) + 2);
            report(op, L + "x" + d, ms, bytes);
        }
    }

    /**
     * conv3d of F32 x [cin, t, h, w] with a (kt, kh, kw) kernel, spatial padding kh / 2, kw / 2, no front
     * padding, on a backend kernel ({@link ConvPath}) or the lab's tap GEMMs (taps, taps-bf16, taps-bf16x3).
     */
    private void conv(String op, int cin, int t, int h, int w, int cout, int kt, int kh, int kw, Object path) {
        if (skip(op)) {
            return;
        }
        try (Tensor x = normal(DType.F32, 12, cin, t, h, w); Tensor wt = normal(DType.F32, 13, cout, cin, kt, kh, kw);
             Tensor b = normal(DType.F32, 14, cout)) {
            double ms;
            if (path instanceof ConvPath kernel) {
                ctl.setConvPath(kernel);
                ms = time(() -> be.conv3d(x, wt, b, 0, kh / 2, kw / 2).close());
                ctl.setConvPath(ConvPath.AUTO);
            } else {
                TapGemmConv3d.Operands operands = TapConvBackend.operands((String) path, DType.F32);
                ms = time(() -> TapGemmConv3d.conv3d(be, x, wt, b, 0, kh / 2, kw / 2, operands).close());
            }
            int to = t - kt + 1;
            report(op, cin + "x" + t + "x" + h + "x" + w + "->" + cout + "/" + kt + kh + kw, ms,
                    2.0 * cin * kt * kh * kw * cout * to * h * w);
        }
    }

    private void attention(String op, TimeWindow win, AttentionPath path) {
        if (skip(op) || (path != AttentionPath.AUTO && !caps.hasAttnWgmma())) {
            return;
        }
        int h = 12;
        int d = 128;
        boolean cross = op.startsWith("attn_cross");
        int lk = cross ? 512 : L;
        try (Tensor q = normal(DType.BF16, 9, 1, L, h, d); Tensor k = normal(DType.BF16, 10, 1, lk, h, d);
             Tensor v = normal(DType.BF16, 11, 1, lk, h, d)) {
            AttentionSpec spec = AttentionSpec.standard(d).withWindow(win);
            ctl.setAttentionPath(path);
            double ms = time(() -> be.attention(q, k, v, spec).close());
            ctl.setAttentionPath(AttentionPath.AUTO);
            // useful FLOPs: QK^T and PV over the (query, key) pairs the mask allows
            double pairs = (double) L * lk;
            if (win != null) {
                pairs = 0;
                for (int f = 0; f < FRAMES; f++) {
                    pairs += (double) TOKENS_PER_FRAME * (win.keyFrameEnd(f) - win.keyFrameStart(f)) * TOKENS_PER_FRAME;
                }
            }
            report(op, "1x" + L + "x" + lk + "x" + h + "x" + d + (win == null ? "" : "/w" + win.windowFrames() + "s"
                    + win.shiftFrames()), ms, 4.0 * h * d * pairs);
        }
    }

    /** The grad_ rows run only when --only selects them (see the class comment). */
    private boolean skipGrad(String op) {
        return only.isEmpty() || skip(op);
    }

    /** dx = dy W (dx rows) or dW = dy^T x (dw rows) of a linear layer with m rows, k inputs, n outputs. */
    private void gradLinear(String op, int m, int k, int n) {
        if (skipGrad(op)) {
            return;
        }
        try (Tensor dy = normal(DType.F32, 19, m, n); Tensor w = normal(DType.BF16, 20, n, k); Tensor x = normal(DType.BF16, 21, m, k)) {
            double ms = op.contains("_dx_") ? time(() -> be.linearGradInput(dy, w).close())
                    : time(() -> be.linearGradWeight(dy, x).close());
            report(op, m + "x" + k + "x" + n, ms, 2.0 * m * n * k);
        }
    }

    /** layerNormModulateBackward on [L, 1536], F32 x and dy; TB/s of bytes moved (x, dy read, dx written). */
    private void gradNorm(String op) {
        if (skipGrad(op)) {
            return;
        }
        int d = 1536;
        try (Tensor x = normal(DType.F32, 22, 1, L, d); Tensor dy = normal(DType.F32, 23, 1, L, d);
             Tensor scale = normal(DType.F32, 24, 1, d)) {
            double ms = time(() -> be.layerNormModulateBackward(x, scale, 1e-6f, dy).close());
            report(op, L + "x" + d, ms, (double) L * d * 12);
        }
    }

    /** attentionBackward of the cross-attention shape (L queries, 512 keys, 12 heads of 128), from attentionWithLse. */
    private void gradAttention(String op) {
        if (skipGrad(op)) {
            return;
        }
        int h = 12;
        int d = 128;
        int lk = 512;
        AttentionSpec spec = AttentionSpec.standard(d);
        try (Tensor q = normal(DType.BF16, 25, 1, L, h, d); Tensor k = normal(DType.BF16, 26, 1, lk, h, d);
             Tensor v = normal(DType.BF16, 27, 1, lk, h, d); Tensor dOut = normal(DType.F32, 28, 1, L, h, d);
             var fwd = be.attentionWithLse(q, k, v, spec)) {
            double ms = time(() -> be.attentionBackward(q, k, v, fwd.out(), fwd.lse(), dOut, spec).close());
            // the five products of a flash backward (S, dP, dV, dQ, dK), 2 FLOPs per multiply-add
            report(op, "1x" + L + "x" + lk + "x" + h + "x" + d, ms, 10.0 * h * d * L * lk);
        }
    }
}
