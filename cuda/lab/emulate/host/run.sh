#!/usr/bin/env bash
# Runs the gradient kernels of cuda/ on the host (emu.h: one thread per CUDA thread, barriers for
# __syncthreads and the shuffles) against double references, without a GPU:
#
#   cuda/lab/emulate/host/run.sh        (needs g++ 12 or newer and the CUDA headers next to nvcc,
#                                        or CUDA_INCLUDE=DIR)
#
# Prints one line per check (ok / FAIL and the relative error) and exits non-zero if any failed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cuda=$(cd "$here/../../.." && pwd)
# the CUDA headers: CUDA_INCLUDE, else next to the real nvcc (a wrapper script may stand in its place)
inc=${CUDA_INCLUDE:-}
for d in "$(dirname "$(readlink -f "$(command -v nvcc 2>/dev/null || echo /nonexistent)")")/../include" \
    "${CUDA_HOME:-/usr/local/cuda}/include" /usr/local/cuda/include; do
  [ -z "$inc" ] && [ -f "$d/cuda_bf16.h" ] && inc=$d
done
if [ -z "$inc" ]; then
  echo "run.sh: no cuda_bf16.h found: set CUDA_INCLUDE to the CUDA include directory" >&2
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# attention_generic's dynamic shared memory (the block's query rows) becomes static storage
sed 's/extern __shared__ float sq\[\];/static float sq[4 * 512];/' "$cuda/attention_generic.cu" > "$tmp/attention_generic.cu"
if ! grep -q 'static float sq\[4 \* 512\];' "$tmp/attention_generic.cu"; then
  echo "run.sh: attention_generic.cu no longer declares 'extern __shared__ float sq[];': update the sed line" >&2
  exit 1
fi
rc=0
for c in attention_check ops_check; do
  if ! g++ -std=c++20 -O1 -pthread -w -I "$here" -I "$cuda" -I "$inc" -DATTENTION_GENERIC="\"$tmp/attention_generic.cu\"" \
      "$here/$c.cpp" -o "$tmp/$c"; then
    echo "run.sh: $c.cpp does not compile" >&2
    exit 1
  fi
  "$tmp/$c" || rc=1
done
exit $rc
