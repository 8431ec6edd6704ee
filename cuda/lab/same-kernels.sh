#!/usr/bin/env bash
# Whether the production kernels of the working tree are the same bytes as those of a revision:
#
#   cuda/lab/same-kernels.sh [REV]          (default HEAD; needs nvcc)
#
# nvcc's output is deterministic for a given source path and modification time, but it depends on
# both: -lineinfo records each source's absolute path, and the front end names internal symbols with
# a hash of path and mtime (touching an unchanged .cu changes three bytes of its fatbin). So fatbins
# built in two checkouts, or before and after a checkout, always differ. This builds REV's cuda/ and
# then the working tree's at one scratch path with one fixed mtime, with cuda/build.sh each, and
# compares every fatbin byte for byte: "same", "DIFFERENT", "left production" (built by REV, not by
# the tree) or "new". Exits 1 if any fatbin of REV differs.
set -euo pipefail
rev=${1:-HEAD}
top=$(git rev-parse --show-toplevel)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
build() {  # label: builds $scratch/src/cuda into $scratch/$label
  find "$scratch/src/cuda" -maxdepth 1 -type f -exec touch -d '2000-01-01 00:00:00 UTC' {} +
  bash "$scratch/src/cuda/build.sh" "$scratch/$1" "$scratch/$1.log" > /dev/null
}
mkdir -p "$scratch/src"
git -C "$top" archive "$rev" cuda | tar -x -C "$scratch/src"
build base
rm -rf "$scratch/src/cuda"
mkdir -p "$scratch/src/cuda"
cp "$top"/cuda/*.cu "$top"/cuda/*.cuh "$top"/cuda/build.sh "$scratch/src/cuda/"
build tree
status=0
for f in "$scratch"/base/*.fatbin; do
  b=$(basename "$f")
  if [ ! -f "$scratch/tree/$b" ]; then
    echo "left production  $b"
  elif cmp -s "$f" "$scratch/tree/$b"; then
    echo "same             $b  $(sha256sum < "$f" | cut -c1-16)"
  else
    echo "DIFFERENT        $b"; status=1
  fi
done
for f in "$scratch"/tree/*.fatbin; do
  [ -f "$scratch/base/$(basename "$f")" ] || echo "new              $(basename "$f")"
done
exit $status
