#!/usr/bin/env bash
# Compiles every cuda/*.cu into one fatbin per file:
#
#   cuda/build.sh OUTDIR [LOGFILE]
#
# The Maven build of surf-kernels calls it in generate-resources with
# OUTDIR = surf-kernels/target/classes/dev/surf/cuda/kernels, so the fatbins are packaged as
# resources (dev.surf.cuda.CudaModules loads them). Each fatbin holds sm_80 and sm_90 machine code
# plus compute_90 PTX (which the driver JIT-compiles for newer GPUs); files that use Hopper-only
# instructions (wgmma, setmaxnreg: gemm_wgmma, gemm_persistent, attention_wgmma) are built for sm_90a
# alone and loaded only on compute capability 9.0 (CudaModules.HOPPER).
#
# Without nvcc this prints one line and succeeds (the CUDA backend then reports that its kernels were
# not built); a compile or ptxas error fails the build. A file is rebuilt only when it is older than
# its source, the shared headers or this script. ptxas resource reports (registers, spills, shared
# memory) go to LOGFILE (default OUTDIR/../ptxas.log; Maven passes target/cuda-build.log).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: cuda/build.sh OUTDIR [LOGFILE]}
log=${2:-$out/../ptxas.log}
NVCC=${NVCC:-nvcc}

if ! command -v "$NVCC" >/dev/null 2>&1; then
  echo "[cuda] nvcc not found: CUDA kernels not built (the CPU backend and CPU tests are unaffected)"
  exit 0
fi
mkdir -p "$out" "$(dirname "$log")"

# Why each file gets its flags:
#  - fast math only for the tensor-core GEMMs, whose outputs are rounded to bf16 (tests at 1e-2): the
#    tanh/exp of the epilogue may be approximate there. attention.cu does not need it (its exp is an
#    explicit ex2.approx) and relies on -inf arithmetic for masks, so it stays IEEE.
#  - -fmad=false where the kernel should round exactly as the Java reference does (Java never fuses a
#    multiply and an add): norms, rope, elementwise (combine is bit-exact), resize (bit-exact source
#    indices), convert, copy, and philox (bit-exact; it also spells every op as an _rn intrinsic).
#  - plain -O3 for the F32 SIMT paths: contraction to FMA is fine there (tolerance 1e-5), but the
#    library tanhf/expf and IEEE division must stay accurate. Also for conv3d_igemm (TF32, 2e-3): no
#    bit-exactness to keep, and no fast math, which would flush denormal inputs before the TF32 rounding.
flags_for() {
  case "$1" in
    gemm_bf16|gemm_wgmma|gemm_persistent) echo "--use_fast_math" ;;
    gemm_simt|attention|attention_generic|attention_grad|attention_wgmma|conv3d_igemm) echo "" ;;
    *) echo "-fmad=false" ;;
  esac
}
targets_for() {
  case "$1" in
    gemm_wgmma|gemm_persistent|attention_wgmma) echo "-gencode=arch=compute_90a,code=sm_90a" ;;
    *) echo "-gencode=arch=compute_80,code=sm_80 -gencode=arch=compute_90,code=[sm_90,compute_90]" ;;
  esac
}

# Kernels that move registers between warp groups with setmaxnreg (a 24-register producer group, two
# consumer groups raised to at most 240) only get them from the block's launch allocation: 384 threads
# x 168 registers = 64512 = 128 x 24 + 256 x 240. With fewer registers at entry, setmaxnreg.inc would
# wait forever on the device, so any other count fails the build here instead.
regs_at_entry() {
  case "$1" in
    gemm_persistent|attention_wgmma) echo 168 ;;
    *) echo "" ;;
  esac
}

deps=("$here"/*.cuh "$here/build.sh")
reports="$(dirname "$log")/ptxas"
mkdir -p "$reports"
built=0
for src in "$here"/*.cu; do
  name=$(basename "$src" .cu)
  dst="$out/$name.fatbin"
  stale=0
  if [ -f "$dst" ]; then
    for d in "$src" "${deps[@]}"; do
      if [ "$d" -nt "$dst" ]; then stale=1; fi
    done
  else
    stale=1
  fi
  [ "$stale" = 1 ] || continue
  # shellcheck disable=SC2046
  if ! "$NVCC" -O3 -lineinfo -std=c++17 --threads 2 -Xptxas -v $(flags_for "$name") $(targets_for "$name") \
      -fatbin -o "$dst.tmp" "$src" > "$reports/$name.txt" 2>&1; then
    cat "$reports/$name.txt" >&2
    rm -f "$dst.tmp"
    echo "[cuda] nvcc failed on $src" >&2
    exit 1
  fi
  want=$(regs_at_entry "$name")
  if [ -n "$want" ]; then
    wrong=$(awk -v want="$want" '/Compiling entry function/ { fn = $0 }
        /Used [0-9]+ registers/ { match($0, /Used [0-9]+/); n = substr($0, RSTART + 5, RLENGTH - 5);
                                  if (n != want) print fn ": " n " registers" }' "$reports/$name.txt")
    if [ -n "$wrong" ]; then
      echo "$wrong" >&2
      rm -f "$dst.tmp"
      echo "[cuda] $src: its setmaxnreg split needs exactly $want registers per thread at entry" >&2
      exit 1
    fi
  fi
  # C7515: ptxas serialised wgmma instructions (accumulators defined by other instructions inside a
  # pipeline stage), which costs the Hopper kernels most of their speed without failing anything
  if grep -q "C7515" "$reports/$name.txt"; then
    grep "C7515" "$reports/$name.txt" >&2
    rm -f "$dst.tmp"
    echo "[cuda] $src: ptxas serialised its wgmma instructions" >&2
    exit 1
  fi
  mv "$dst.tmp" "$dst"
  built=$((built + 1))
done
if [ "$built" -gt 0 ]; then
  for r in "$reports"/*.txt; do echo "==== $(basename "$r" .txt).cu"; cat "$r"; done > "$log"
  echo "[cuda] built $built kernel file(s) into $out (ptxas report: $log)"
fi
