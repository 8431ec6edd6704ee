#!/usr/bin/env python3
"""PyTorch side of the kernel comparison: the shapes of dev.surf.bench.GpuKernelBench, timed the same
way (CUDA events, warm-up, median per call of batched repetitions, normal random bf16 inputs) on the
same GPU. Prints one line per measurement, RESULT,op,shape,ms,tflops, with the same op keys as the
Java benchmark so run.sh can join them.

    python3 surf-bench/peer/torch_peer.py [--reps N] [--warmup N] [--batch N] [--only SUBSTRING]
"""
import argparse
import statistics

import torch
import torch.nn.functional as F

L = 32760
FRAMES = 21
TOKENS_PER_FRAME = 1560


def timed(fn, args):
    """Median milliseconds per call: each of args.reps samples times args.batch back-to-back calls
    between two events (GpuKernelBench does the same), so neither side is timed on its per-call host
    work."""
    for _ in range(args.warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(args.reps):
        start = torch.cuda.Event(enable_timing=True)
        end = torch.cuda.Event(enable_timing=True)
        start.record()
        for _ in range(args.batch):
            fn()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end) / args.batch)
    return statistics.median(times)


def report(op, shape, ms, flops):
    print(f"RESULT,{op},{shape},{ms:.4f},{flops / (ms * 1e-3) / 1e12:.1f}", flush=True)


def gemm(op, m, k, n, act, args):
    x = torch.randn(m, k, device="cuda", dtype=torch.bfloat16)
    w = torch.randn(n, k, device="cuda", dtype=torch.bfloat16)
    b = torch.randn(n, device="cuda", dtype=torch.bfloat16)
    if op == "gemm":
        fn = lambda: torch.matmul(x, w.t())  # the plain ceiling, as the target is stated
    elif act == "gelu":
        fn = lambda: F.gelu(F.linear(x, w, b), approximate="tanh")
    else:
        fn = lambda: F.linear(x, w, b)
    report(op, f"{m}x{k}x{n}", timed(fn, args), 2.0 * m * n * k)


def residual(op, m, k, n, args):
    x = torch.randn(m, k, device="cuda", dtype=torch.bfloat16)
    w = torch.randn(n, k, device="cuda", dtype=torch.bfloat16)
    b = torch.randn(n, device="cuda", dtype=torch.bfloat16)
    gate = torch.randn(n, device="cuda", dtype=torch.float32)
    r = torch.randn(m, n, device="cuda", dtype=torch.float32)

    def fn():
        # the official Wan block: x = x + y * e (y bf16 from the linear, e and x F32)
        r.add_(F.linear(x, w, b) * gate)

    report(op, f"{m}x{k}x{n}", timed(fn, args), 2.0 * m * n * k)


def attention(op, window, args, backend=None):
    h, d = 12, 128
    lk = 512 if op.startswith("attn_cross") else L
    # [B, L, H, d] storage viewed as [B, H, L, d]: the layout GpuKernelBench uses
    q = torch.randn(1, L, h, d, device="cuda", dtype=torch.bfloat16).transpose(1, 2)
    k = torch.randn(1, lk, h, d, device="cuda", dtype=torch.bfloat16).transpose(1, 2)
    v = torch.randn(1, lk, h, d, device="cuda", dtype=torch.bfloat16).transpose(1, 2)
    pairs = float(L) * lk
    if window is None:
        fn = lambda: F.scaled_dot_product_attention(q, k, v)
    else:
        # shift 0: the windows are contiguous blocks of `window` frames, run as a batch of SDPAs
        wt = window * TOKENS_PER_FRAME
        nw = L // wt
        qw = q.reshape(1, h, nw, wt, d).transpose(1, 2).reshape(nw, h, wt, d)
        kw = k.reshape(1, h, nw, wt, d).transpose(1, 2).reshape(nw, h, wt, d)
        vw = v.reshape(1, h, nw, wt, d).transpose(1, 2).reshape(nw, h, wt, d)
        fn = lambda: F.scaled_dot_product_attention(qw, kw, vw)
        pairs = float(nw) * wt * wt
    if backend is not None:
        from torch.nn.attention import sdpa_kernel
        inner = fn

        def fn():
            with sdpa_kernel([backend]):
                return inner()
    shape = f"1x{L}x{lk}x{h}x{d}" + ("" if window is None else f"/w{window}s0")
    report(op, shape, timed(fn, args), 4.0 * h * d * pairs)


def conv(op, cin, t, h, w, cout, kt, kh, kw, args):
    """F.conv3d in fp32 with PyTorch's defaults (cuDNN may use TF32 for convolutions, as in the
    official VAE decode), input [1, cin, t, h, w], padding (0, kh // 2, kw // 2): GpuKernelBench's conv_*."""
    x = torch.randn(1, cin, t, h, w, device="cuda", dtype=torch.float32)
    wt = torch.randn(cout, cin, kt, kh, kw, device="cuda", dtype=torch.float32)
    b = torch.randn(cout, device="cuda", dtype=torch.float32)
    fn = lambda: F.conv3d(x, wt, b, padding=(0, kh // 2, kw // 2))
    to = t - kt + 1
    report(op, f"{cin}x{t}x{h}x{w}->{cout}/{kt}{kh}{kw}", timed(fn, args),
           2.0 * cin * kt * kh * kw * cout * to * h * w)


def norm(op, args):
    """The official Wan block's norms on [L, 1536]; reported in TB/s of bytes moved, as GpuKernelBench does."""
    d = 1536
    if op == "norm_adaln":
        x = torch.randn(1, L, d, device="cuda", dtype=torch.float32)
        shift = torch.randn(1, 1, d, device="cuda", dtype=torch.float32)
        scale = torch.randn(1, 1, d, device="cuda", dtype=torch.float32)
        # WanAttentionBlock: norm1(x).float() * (1 + e[1]) + e[0], then bf16 into the projections
        fn = lambda: (F.layer_norm(x, (d,), eps=1e-6) * (1 + scale) + shift).to(torch.bfloat16)
        nbytes = L * d * (4 + 2)
    else:
        x = torch.randn(1, L, d, device="cuda", dtype=torch.bfloat16)
        w = torch.randn(d, device="cuda", dtype=torch.float32)
        # WanRMSNorm.forward
        fn = lambda: (x.float() * torch.rsqrt(x.float().pow(2).mean(dim=-1, keepdim=True) + 1e-6)).type_as(x) * w
        nbytes = L * d * (2 + 2)
    report(op, f"{L}x{d}", timed(fn, args), nbytes)


def grad_linear(op, m, k, n, args):
    """dx = dy W or dW = dy^T x in bf16, the products autograd runs for a linear layer under autocast."""
    dy = torch.randn(m, n, device="cuda", dtype=torch.bfloat16)
    w = torch.randn(n, k, device="cuda", dtype=torch.bfloat16)
    x = torch.randn(m, k, device="cuda", dtype=torch.bfloat16)
    fn = (lambda: torch.matmul(dy, w)) if "_dx_" in op else (lambda: torch.matmul(dy.t(), x))
    report(op, f"{m}x{k}x{n}", timed(fn, args), 2.0 * m * n * k)


def grad_attention(op, args):
    """SDPA backward (autograd.grad of a saved forward) on the cross-attention shape."""
    h, d, lk = 12, 128, 512
    q = torch.randn(1, L, h, d, device="cuda", dtype=torch.bfloat16).transpose(1, 2).requires_grad_()
    k = torch.randn(1, lk, h, d, device="cuda", dtype=torch.bfloat16).transpose(1, 2).requires_grad_()
    v = torch.randn(1, lk, h, d, device="cuda", dtype=torch.bfloat16).transpose(1, 2).requires_grad_()
    out = F.scaled_dot_product_attention(q, k, v)
    d_out = torch.randn_like(out)
    fn = lambda: torch.autograd.grad(out, (q, k, v), d_out, retain_graph=True)
    report(op, f"1x{L}x{lk}x{h}x{d}", timed(fn, args), 10.0 * h * d * L * lk)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--reps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--batch", type=int, default=10)
    p.add_argument("--only", default="")
    args = p.parse_args()
    print(f"device: {torch.cuda.get_device_name()} torch {torch.__version__} cuda {torch.version.cuda}", flush=True)
    run = lambda op: args.only in op
    if run("gemm"):
        gemm("gemm", 8192, 8192, 8192, None, args)
    if run("gemm_qkvo"):
        gemm("gemm_qkvo", L, 1536, 1536, None, args)
    if run("gemm_ffn_up"):
        gemm("gemm_ffn_up", L, 1536, 8960, "gelu", args)
    if run("gemm_ffn_down"):
        gemm("gemm_ffn_down", L, 8960, 1536, None, args)
    if run("gemm_residual"):
        residual("gemm_residual", L, 1536, 1536, args)
    for op in ("norm_adaln", "norm_rms"):
        if run(op):
            norm(op, args)
    if run("attn_full"):
        attention("attn_full", None, args)
        from torch.nn.attention import SDPBackend
        for name, be in (("flash", SDPBackend.FLASH_ATTENTION), ("cudnn", SDPBackend.CUDNN_ATTENTION)):
            try:
                attention(f"attn_full_{name}", None, args, be)
            except RuntimeError as e:  # a backend this build or GPU does not offer
                print(f"# attn_full_{name}: unavailable ({str(e).splitlines()[0]})", flush=True)
    if run("attn_win3"):
        attention("attn_win3", 3, args)
    if run("attn_cross"):
        attention("attn_cross", None, args)
    # the grad_ rows run only when --only selects them, as in GpuKernelBench
    for op in ("grad_linear_dx_qkvo", "grad_linear_dw_qkvo"):
        if args.only and run(op):
            grad_linear(op, L, 1536, 1536, args)
    if args.only and run("grad_attn_cross"):
        grad_attention("grad_attn_cross", args)
    print(f"# conv: cudnn.allow_tf32={torch.backends.cudnn.allow_tf32} cudnn.benchmark={torch.backends.cudnn.benchmark}",
          flush=True)
    for op, shape in (("conv_vae96", (96, 6, 480, 832, 96, 3, 3, 3)), ("conv_vae192", (192, 6, 240, 416, 192, 3, 3, 3)),
                      ("conv_vae384", (384, 4, 120, 208, 384, 3, 3, 3)), ("conv_up192", (192, 4, 480, 832, 96, 1, 3, 3)),
                      ("conv_time384", (384, 3, 120, 208, 768, 3, 1, 1)), ("conv_head", (96, 6, 480, 832, 3, 3, 3, 3))):
        if run(op):
            conv(op, *shape, args)


if __name__ == "__main__":
    main()
