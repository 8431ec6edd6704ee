#!/usr/bin/env bash
# One device call that verifies and measures everything the GPU work is waiting for (run ON the GPU
# machine from the repository root, after cuda/gpu-bundle.sh here; carry [".gpu", ".peer"]):
#
#   cuda/device-session.sh [tests|grad|peers|models|all]     (default all; logs and a summary in $OUT)
#
#   tests   the kernel classes most likely to fault first, each in its own JVM (attention, GEMM,
#           conv3d: the tests force every path), then every other GPU test (OpChecksCudaTest, the
#           lab's TapGemmConv3dGpuTest and the conformance runs among them)
#   grad    the gradient kernels of training (issue 18; written without a device, never run before):
#           each *BackwardKernelTest, BackwardChecksCudaTest and TapeCudaTest in its own JVM, then the
#           GpuKernelBench grad_ rows and torch's (`tests` leaves these classes out, so a fault here
#           cannot cost the other results)
#   peers   surf-bench/peer/run.sh: every kernel and path against torch on the same shapes
#   models  Wan 1.3B forward, VAE decode (2 and 21 latent frames) and umT5-XXL with the default kernels,
#           then the official code on the same shapes (.peer holds the official Wan modules, see
#           docs/benchmarks.md). Other kernel paths: SURF_JAVA_OPTS with -Dsurf.cuda.* options
#           (docs/architecture.md, "Options"; a misspelt one fails the backend's open); the lab's
#           tap-GEMM convolutions: GpuModelBench --only vae --vae-conv taps-bf16
#   ALT     JVM flags of the alternative kernel paths (default: the non-persistent wgmma GEMM and the
#           block norms, the defaults before 2026-11-22): `tests` also runs the DiT fixtures with them
#           and `models` also times the forward with them and with the ping-pong GEMM, so one call
#           shows that every path is right and what each pays.
#
# Each step has its own time limit so one hang cannot eat the whole call, and no step starts past the
# call's budget (SURF_DEVICE_BUDGET seconds, default 570: the device tool stops a command at 600).
# "all" rarely fits one call: run `tests`, then `peers`, then `models`, each as its own device call.
# The summary is written as the steps finish, so a call that is cut short still returns what it did.
set -uo pipefail
budget=${SURF_DEVICE_BUDGET:-570}
# run_for MAX CMD...: CMD under `timeout`, at most MAX seconds and never past the budget
run_for() {
  local max=$1 left=$((budget - SECONDS))
  shift
  [ "$left" -lt "$max" ] && max=$left
  if [ "$max" -lt 15 ]; then
    echo "[device-session] budget spent, skipped: $*" >&2
    return 124
  fi
  timeout "$max" "$@"
}
out=${OUT:-/tmp/surf-device}
mkdir -p "$out"
what=${1:-all}
strip() { sed 's/\x1b\[[0-9;]*m//g'; }
summary=$out/summary.txt
: > "$summary"
# the alternative paths: the tests and the forward also run once with them
ALT=${ALT:--Dsurf.cuda.gemmPersistent=false -Dsurf.cuda.warpNorms=false}
note() { echo "$*" | tee -a "$summary"; }

nvidia-smi -L | tee -a "$summary"
if [ "$what" = all ] || [ "$what" = tests ]; then
  # one JVM per class: a kernel that faults or traps (attention_wgmma's watchdog turns a hang into a
  # trap after 10 s) loses its CUDA context, and must not take the other classes' results with it
  for cls in AttentionKernelTest GemmKernelTest Conv3dGemmKernelTest ParamStructTest; do
    run_for 150 .gpu/run.sh test --class-path surf-core/src/test/resources --select-class dev.surf.cuda.$cls 2>&1 \
        | strip > "$out/new-$cls.txt"
    note "$cls (rc $?): $(grep -E 'tests (successful|failed)' "$out/new-$cls.txt" | tr -s ' ' | tr '\n' ' ')"
    grep -E "✘" "$out/new-$cls.txt" | head -12 | tee -a "$summary"
  done
  run_for 300 .gpu/run.sh test --class-path surf-core/src/test/resources --include-tag gpu --scan-class-path \
      --exclude-classname '.*(AttentionKernelTest|GemmKernelTest|Conv3dGemmKernelTest|BackwardKernelTest|BackwardChecksCudaTest|TapeCudaTest)' 2>&1 \
      | strip > "$out/gpu-tests.txt"
  note "the other GPU tests (rc $?): $(grep -E 'tests (successful|failed)' "$out/gpu-tests.txt" | tr -s ' ' | tr '\n' ' ')"
  grep -E "✘" "$out/gpu-tests.txt" | head -20 | tee -a "$summary"
  # the DiT fixtures once more with the alternative kernels as AUTO's choice (ALT above)
  SURF_JAVA_OPTS="$ALT" run_for 120 .gpu/run.sh test --class-path surf-core/src/test/resources \
      --select-class dev.surf.models.wan.WanCudaConformanceTest 2>&1 | strip > "$out/alt-WanCudaConformanceTest.txt"
  note "WanCudaConformanceTest with $ALT (rc $?): $(grep -E 'tests (successful|failed)' "$out/alt-WanCudaConformanceTest.txt" | tr -s ' ' | tr '\n' ' ')"
  grep -E "✘" "$out/alt-WanCudaConformanceTest.txt" | head -12 | tee -a "$summary"
fi
if [ "$what" = all ] || [ "$what" = grad ]; then
  for cls in LinearBackwardKernelTest ElementwiseBackwardKernelTest NormBackwardKernelTest AttentionBackwardKernelTest \
      GatherBackwardKernelTest ConvBackwardKernelTest BackwardChecksCudaTest TapeCudaTest; do
    run_for 90 .gpu/run.sh test --class-path surf-core/src/test/resources --select-class dev.surf.cuda.$cls 2>&1 \
        | strip > "$out/grad-$cls.txt"
    note "$cls (rc $?): $(grep -E 'tests (successful|failed)' "$out/grad-$cls.txt" | tr -s ' ' | tr '\n' ' ')"
    grep -E "✘" "$out/grad-$cls.txt" | head -12 | tee -a "$summary"
  done
  run_for 120 surf-bench/peer/run.sh --only grad_ > "$out/grad-peers.txt" 2>&1
  note "grad_ rows (rc $?):"
  grep -A 6 -E "^op +shape" "$out/grad-peers.txt" | tee -a "$summary"
fi
if [ "$what" = all ] || [ "$what" = peers ]; then
  OUT=$out run_for 300 surf-bench/peer/run.sh --reps 10 > "$out/peers.txt" 2>&1
  note "peers (rc $?):"; sed -n '/^op /,$p' "$out/peers.txt" | tee -a "$summary"
fi
if [ "$what" = all ] || [ "$what" = models ]; then
  run_for 200 .gpu/run.sh java dev.surf.bench.GpuModelBench --only forward --reps 5 2>&1 | grep RESULT | sed 's/^/ours:     /' | tee -a "$summary"
  SURF_JAVA_OPTS="$ALT" run_for 150 .gpu/run.sh java dev.surf.bench.GpuModelBench --only forward --reps 5 2>&1 | grep RESULT \
      | sed 's/^/ours, wgmma GEMM + block norms: /' | tee -a "$summary"
  SURF_JAVA_OPTS="-Dsurf.cuda.gemmPersistent=pingpong" run_for 150 .gpu/run.sh java dev.surf.bench.GpuModelBench \
      --only forward --reps 5 2>&1 | grep RESULT | sed 's/^/ours, ping-pong GEMM: /' | tee -a "$summary"
  for frames in 2 21; do
    run_for 120 .gpu/run.sh java dev.surf.bench.GpuModelBench --only vae --vae-frames $frames --reps 4 2>&1 | grep RESULT | sed 's/^/ours:     /' | tee -a "$summary"
  done
  run_for 150 .gpu/run.sh java dev.surf.bench.GpuModelBench --only t5 --reps 5 2>&1 | grep RESULT | sed 's/^/ours:     /' | tee -a "$summary"
  WAN_OFFICIAL=.peer PYTHONUNBUFFERED=1 run_for 200 python3 surf-bench/peer/wan_official_peer.py --vae-frames 2 --reps 5 2>&1 \
      | grep RESULT | sed 's/^/official: /' | tee -a "$summary"
  WAN_OFFICIAL=.peer PYTHONUNBUFFERED=1 run_for 100 python3 surf-bench/peer/wan_official_peer.py --only vae --vae-frames 21 --reps 4 2>&1 \
      | grep RESULT | sed 's/^/official: /' | tee -a "$summary"
fi
echo "logs in $out"
