#!/usr/bin/env bash
# Side-by-side kernel timings on the GPU machine: our CUDA kernels (GpuKernelBench through the .gpu
# bundle, see shared/gpu/README.md) and PyTorch on the same shapes, then one table:
#   op, shape, ours ms, torch ms, ratio (torch ms / ours ms: > 1 means we are faster), TFLOP/s each.
#
#   surf-bench/peer/run.sh [--reps N] [--batch N] [--only SUBSTRING]        (from the repository root)
#
# Raw outputs go to ${OUT:-/tmp}/peer-ours.txt and peer-torch.txt.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
out=${OUT:-/tmp}
mkdir -p "$out"
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,power.draw,temperature.gpu --format=csv > "$out/peer-gpu.txt" 2>&1 || true
.gpu/run.sh java dev.surf.bench.GpuKernelBench "$@" | tee "$out/peer-ours.txt"
python3 surf-bench/peer/torch_peer.py "$@" | tee "$out/peer-torch.txt"
python3 - "$out/peer-ours.txt" "$out/peer-torch.txt" <<'PY'
import sys
def load(path):
    rows = {}
    for line in open(path):
        if line.startswith("RESULT,"):
            _, op, shape, ms, tf = line.strip().split(",")
            rows[op] = (shape, float(ms), float(tf))
    return rows
ours, torch = load(sys.argv[1]), load(sys.argv[2])
print()
print(f"{'op':<26} {'shape':<26} {'ours ms':>9} {'torch ms':>9} {'ratio':>6} {'ours TF/s':>10} {'torch TF/s':>10}")
for op in list(ours) + [o for o in torch if o not in ours]:
    o, t = ours.get(op), torch.get(op)
    shape = (o or t)[0]
    om = f"{o[1]:.3f}" if o else "-"
    tm = f"{t[1]:.3f}" if t else "-"
    ratio = f"{t[1] / o[1]:.2f}" if o and t else "-"
    print(f"{op:<26} {shape:<26} {om:>9} {tm:>9} {ratio:>6} {(f'{o[2]:.1f}' if o else '-'):>10} {(f'{t[2]:.1f}' if t else '-'):>10}")
print("\n(gemm: torch.matmul; attn_full: torch SDPA default backend, attn_full_flash/_cudnn forced; "
      "attn_win3: torch runs the 7 windows as a batch; ratio = torch ms / ours ms; rows ending in _persistent, _pingpong, "
      "_wgmma, _wgmma_simple, _block, _warp: that kernel forced on the shape of the row without the suffix; "
      "norm rows: the TF/s columns are TB/s of bytes moved)")
PY
