#!/usr/bin/env python3
"""PyTorch side of the model-level comparison: the OFFICIAL Wan 2.1 modules (wan/modules/model.py,
vae.py and t5.py from Wan-Video/Wan2.1, carried to the GPU machine in an ignored folder given by $WAN_OFFICIAL,
never committed here) run as the official pipeline runs them: fp32 parameters, the DiT under
bf16 autocast, the VAE in fp32, the umT5 encoder in bf16. flash-attn is not installed on the GPU image, so the official
flash_attention is replaced by torch SDPA with the same contract (bf16 inputs, keys past k_lens
masked, output in q's dtype). Random weights (the official init), random inputs.

Prints RESULT,op,shape,ms,tflops lines like the other peer scripts.

    WAN_OFFICIAL=.peer python3 surf-bench/peer/wan_official_peer.py [--reps N] [--only forward|vae|t5] [--vae-frames F]
"""
import argparse
import os
import sys

import torch
import torch.nn.functional as F

from torch_peer import timed  # the kernel peer beside this file: same CUDA-event median timing

sys.path.insert(0, os.environ.get("WAN_OFFICIAL", ".peer"))
import wan.modules.model as wan_model  # noqa: E402
import wan.modules.vae as wan_vae  # noqa: E402

FORWARD_FLOPS = 2.830e14  # surf flops --model wan-t2v-1.3b: 832x480x81, one forward


def sdpa_attention(q, k, v, q_lens=None, k_lens=None, dropout_p=0., softmax_scale=None, q_scale=None,
                   causal=False, window_size=(-1, -1), deterministic=False, dtype=torch.bfloat16, version=None):
    out_dtype = q.dtype
    half = (torch.float16, torch.bfloat16)
    qh, kh, vh = (t if t.dtype in half else t.to(dtype) for t in (q, k, v))
    if q_scale is not None:
        qh = qh * q_scale
    mask = None
    if k_lens is not None and bool((k_lens < k.size(1)).any()):
        idx = torch.arange(k.size(1), device=k.device)
        mask = (idx[None, :] < k_lens[:, None])[:, None, None, :]
    o = F.scaled_dot_product_attention(qh.transpose(1, 2), kh.transpose(1, 2), vh.transpose(1, 2),
                                       attn_mask=mask, scale=softmax_scale, is_causal=causal)
    return o.transpose(1, 2).to(out_dtype)


wan_model.flash_attention = sdpa_attention


def forward(reps):
    torch.manual_seed(0)
    model = wan_model.WanModel(model_type='t2v', dim=1536, ffn_dim=8960, num_heads=12, num_layers=30,
                               text_len=512).cuda().eval()
    x = [torch.randn(16, 21, 60, 104, device='cuda')]
    t = torch.tensor([999], device='cuda')
    ctx = [torch.randn(77, 4096, device='cuda')]

    def run():
        with torch.amp.autocast('cuda', dtype=torch.bfloat16), torch.no_grad():
            model(x, t=t, context=ctx, seq_len=32760)

    ms = timed(run, 2, reps)
    print(f"RESULT,wan13b_forward,1x16x21x60x104,{ms:.3f},{FORWARD_FLOPS / (ms * 1e-3) / 1e12:.1f}", flush=True)
    del model
    torch.cuda.empty_cache()


def vae_flops(frames, h=60, w=104, dims=(384, 384, 384, 192, 96), res_blocks=2, temporal=(True, True, False)):
    """FlopModel.vaeDecode (surf-models): every conv tap (causal zero frames included) + the middle attention."""
    conv = lambda cin, cout, taps, pos: 2.0 * cin * cout * taps * pos
    total = 0.0
    for i in range(frames):
        n, px = 1, h * w
        total += conv(16, 16, 1, n * px) + conv(16, dims[0], 27, n * px) + 4 * conv(dims[0], dims[0], 27, n * px)
        total += n * (conv(dims[0], 4 * dims[0], 1, px) + 4.0 * px * px * dims[0])
        cin = dims[0]
        for level in range(len(dims) - 1):
            out = dims[level + 1]
            for _ in range(res_blocks + 1):
                total += conv(cin, out, 27, n * px) + conv(out, out, 27, n * px) + (conv(cin, out, 1, n * px) if cin != out else 0)
                cin = out
            if level != len(dims) - 2:
                if temporal[level] and i > 0:
                    total += conv(out, 2 * out, 3, n * px)
                    n *= 2
                px *= 4
                total += conv(out, out // 2, 9, n * px)
                cin = out // 2
        total += conv(cin, 3, 27, n * px)
    return total


def vae(reps, frames):
    torch.manual_seed(0)
    m = wan_vae.WanVAE_(dim=96, z_dim=16, dim_mult=[1, 2, 4, 4], num_res_blocks=2, attn_scales=[],
                        temperal_downsample=[False, True, True], dropout=0.0).cuda().eval()
    mean = torch.randn(16, device='cuda')
    inv_std = 1.0 / (1.0 + torch.rand(16, device='cuda'))
    z = torch.randn(1, 16, frames, 60, 104, device='cuda')

    def run():
        with torch.amp.autocast('cuda', dtype=torch.float32), torch.no_grad():
            m.decode(z, [mean, inv_std]).float().clamp_(-1, 1)

    ms = timed(run, 1, reps)
    print(f"RESULT,vae_decode,16x{frames}x60x104,{ms:.1f},{vae_flops(frames) / (ms * 1e-3) / 1e12:.1f}", flush=True)


def t5(reps):
    import types
    # t5.py imports its tokenizer wrapper (which needs ftfy, absent on the GPU image); the encoder never uses it
    stub = types.ModuleType('wan.modules.tokenizers')
    stub.HuggingfaceTokenizer = None
    sys.modules.setdefault('wan.modules.tokenizers', stub)
    import wan.modules.t5 as wan_t5
    torch.manual_seed(0)
    # the official umt5-xxl encoder config, in bf16 as the official pipeline holds it, eval mode, no autocast
    with torch.device('cuda'):  # built on the GPU: a 5.7e9-parameter fp32 init on the host takes minutes
        enc = wan_t5.T5Encoder(vocab=256384, dim=4096, dim_attn=4096, dim_ffn=10240, num_heads=64, num_layers=24,
                               num_buckets=32, shared_pos=False, dropout=0.1).eval().to(torch.bfloat16)
    ids = torch.arange(512, device='cuda').mul(7919).remainder(256382).add(2)[None]
    mask = torch.ones(1, 512, dtype=torch.long, device='cuda')

    def run():
        with torch.no_grad():
            enc(ids, mask)

    ms = timed(run, 1, reps)
    d, f = 4096, 10240
    flops = 24 * (2 * 512 * (4 * d * d + 3 * d * f) + 4 * 512 * 512 * d)
    print(f"RESULT,umt5xxl_encode,512_tokens,{ms:.2f},{flops / (ms * 1e-3) / 1e12:.1f}", flush=True)


if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--reps', type=int, default=5)
    ap.add_argument('--only', default='')
    ap.add_argument('--vae-frames', type=int, default=21)
    a = ap.parse_args()
    print(f"torch {torch.__version__} on {torch.cuda.get_device_name()}; cudnn.allow_tf32={torch.backends.cudnn.allow_tf32}", flush=True)
    if a.only in ('', 'forward'):
        forward(a.reps)
    if a.only in ('', 'vae'):
        vae(max(2, a.reps // 2), a.vae_frames)
    if a.only in ('', 't5'):
        t5(a.reps)
