#!/usr/bin/env bash
# Builds cuda/lab/probe/gemm_probe.cu against cuda/gemm_persistent.cu and against variants of it derived
# here with sed, one binary per variant (run them on the device machine; carry OUTDIR):
#
#   cuda/lab/probe/build.sh OUTDIR
#
#   as_is      the kernel as committed
#   no_drain   the epilogue never runs (the accumulators are left in registers): main loop, ring and
#              tile changes alone
#   no_store   the epilogue stages the accumulators through shared memory and reads them back, but
#              calls epilogue_run8_with (bias, activation, global stores) never
#   no_gstore  everything but the global stores: the bias is added to each run and the sum compared
#   stg_only   the global stores alone: each run is packed to bf16 and stored, no bias or activation
# A variant whose sed pattern no longer matches the kernel fails the build rather than timing the
# unchanged kernel under a wrong name.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)  # cuda/
out=${1:?usage: cuda/lab/probe/build.sh OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)  # the probe #includes the variant by this path
src=$here/gemm_persistent.cu
variant() {  # name sed-expression
  local name=$1 expr=$2 v=$out/gemm_persistent_$1.cu
  # every variant drops the host-read smem constant (an extern "C" __constant__ the probe does not
  # need, whose host shadow a whole-program build does not emit) and uses SMEM_BYTES directly
  sed '/gemm_bf16_persistent_smem = SMEM_BYTES;/d' "$src" > "$v.base"
  sed "$expr" "$v.base" > "$v"
  if [ -n "$expr" ] && cmp -s "$v.base" "$v"; then
    echo "[probe] variant $name: its pattern matches nothing in gemm_persistent.cu" >&2
    exit 1
  fi
  "${NVCC:-nvcc}" -O3 -std=c++17 --use_fast_math -gencode=arch=compute_90a,code=sm_90a -I "$here" \
      -DGEMM_SOURCE="\"$v\"" -DVARIANT="\"$name\"" -o "$out/gemm_probe_$name" "$here/lab/probe/gemm_probe.cu" &
  pids+=($!)
}
pids=()
variant as_is ''
variant no_drain 's/^\( *\)drain_accumulators(/\1if (p.M < 0) drain_accumulators(/'
variant no_store 's/^\( *\)epilogue_run8_with(p\.ep, row, col, p\.N, acc, ops);/\1if (acc[0] == -1.2345e30f) epilogue_run8_with(p.ep, row, col, p.N, acc, ops);/'
variant no_gstore 's/^\( *\)epilogue_run8_with(p\.ep, row, col, p\.N, acc, ops);/\1{ float s_ = 0.0f; for (int j_ = 0; j_ < 8; j_++) s_ += __fadd_rn(acc[j_], ops.bias[j_]); if (s_ == -1.2345e30f) epilogue_run8_with(p.ep, row, col, p.N, acc, ops); }/'
variant stg_only 's/^\( *\)epilogue_run8_with(p\.ep, row, col, p\.N, acc, ops);/\1*reinterpret_cast<uint4*>((__nv_bfloat16*)p.ep.out + (size_t)row * p.N + col) = make_uint4(pack_bf16x2(acc[0], acc[1]), pack_bf16x2(acc[2], acc[3]), pack_bf16x2(acc[4], acc[5]), pack_bf16x2(acc[6], acc[7]));/'
for pid in "${pids[@]}"; do wait "$pid"; done
ls "$out"/gemm_probe_*
