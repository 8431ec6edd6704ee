#!/usr/bin/env bash
# Builds everything in the kernel lab, so that lab code cannot rot unnoticed:
#
#   cuda/lab/build.sh OUTDIR
#
#   probe/     the persistent GEMM timing probe and its sed-made variants (cuda/lab/probe/build.sh)
#   emulate/   the NumPy index-logic emulators: parsed (a syntax check), not run
#
# surf-bench's LabBuildTest runs this whenever nvcc is on the PATH (about 10 s); without nvcc it prints
# one line and succeeds, like cuda/build.sh. The Java half of the lab (dev.surf.bench.lab) is compiled
# and tested by the Maven build of surf-bench.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: cuda/lab/build.sh OUTDIR}
NVCC=${NVCC:-nvcc}
if ! command -v "$NVCC" >/dev/null 2>&1; then
  echo "[lab] nvcc not found: lab kernels not built"
  exit 0
fi
mkdir -p "$out"
NVCC=$NVCC bash "$here/probe/build.sh" "$out/probe"
if command -v python3 >/dev/null 2>&1; then
  for py in "$here"/emulate/*.py "$here"/probe/*.py; do
    python3 -c 'import ast, sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1])' "$py"
  done
fi
echo "[lab] built into $out"
