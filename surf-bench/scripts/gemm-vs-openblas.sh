#!/usr/bin/env bash
# F32 GEMM, surf's CpuMatmul against numpy on OpenBLAS, side by side in one run: the forward shapes
# (x W^T) and the backward's transposed ones (dW = dy^T x, dx = dy W). Both sides use THREADS threads;
# ROUNDS rounds alternate numpy and Java, each round takes the best of REPS calls per shape, and the
# table shows the best round of each side (the machine may be shared: the best is the least disturbed).
#
# usage: surf-bench/scripts/gemm-vs-openblas.sh [ROUNDS] [REPS]
# env:   THREADS (2), AVX2=1 to run both sides on AVX2 code paths (java -XX:UseAVX=2 and
#        OPENBLAS_CORETYPE=Haswell), as on the CI machine kind; JAVA (java of JDK 25); CPUS for taskset.
# needs: surf-bench/target/benchmarks.jar (./mvnw -o -B -q -pl surf-bench -am -DskipTests package).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-3}
REPS=${2:-5}
THREADS=${THREADS:-2}
JAVA=${JAVA:-${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java}
JAR=surf-bench/target/benchmarks.jar
[ -f "$JAR" ] || { echo "gemm-vs-openblas: $JAR missing; build surf-bench first" >&2; exit 1; }
# label:transA:transB:m:n:k with op(A) m x k, op(B) k x n
SHAPES=(
  nn-1024:0:0:1024:1024:1024
  nt-1024:0:1:1024:1024:1024
  tn-1024:1:0:1024:1024:1024
  fwd-attn-xWT:0:1:1560:1536:1536
  fwd-ffn1-xWT:0:1:1560:8960:1536
  dW-attn-dyTx:1:0:1536:1536:1560
  dW-ffn1-dyTx:1:0:8960:1536:1560
  dx-ffn1-dyW:0:0:1560:1536:8960
  dx-ffn2-dyW:0:0:1560:8960:1536
)
JFLAGS=(--add-modules jdk.incubator.vector -XX:+UseParallelGC -Xmx8g)
PIN=()
[ -n "${CPUS:-}" ] && PIN=(taskset -c "$CPUS")
if [ "${AVX2:-0}" = 1 ]; then
  JFLAGS+=(-XX:UseAVX=2)
  export OPENBLAS_CORETYPE=Haswell
fi
export OPENBLAS_NUM_THREADS=$THREADS OMP_NUM_THREADS=$THREADS
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
for r in $(seq "$ROUNDS"); do
  "${PIN[@]}" python3 surf-bench/scripts/gemm_numpy.py "$REPS" "${SHAPES[@]}" > "$OUT/numpy.$r"
  "${PIN[@]}" "$JAVA" "${JFLAGS[@]}" -cp "$JAR" dev.surf.bench.GemmShapesMain "$THREADS" "$REPS" "${SHAPES[@]}" \
    2> >(grep -v 'incubator' >&2) > "$OUT/surf.$r"
done
echo "date $(date -u +%FT%TZ), cpu: $(lscpu | sed -n 's/^Model name: *//p'), threads $THREADS, AVX2-only ${AVX2:-0}, rounds $ROUNDS x best of $REPS"
python3 - "$OUT" <<'PY'
import glob, os, sys
d = sys.argv[1]
def best(side):
    out = {}
    order = []
    for f in sorted(glob.glob(os.path.join(d, side + ".*"))):
        for line in open(f):
            label, g = line.split()
            if label not in out:
                order.append(label)
            out[label] = max(out.get(label, 0.0), float(g))
    return out, order
numpy, order = best("numpy")
surf, _ = best("surf")
print("| shape | numpy+OpenBLAS GFLOP/s | surf CpuMatmul GFLOP/s | surf / OpenBLAS |")
print("|---|---|---|---|")
for label in order:
    print(f"| {label} | {numpy[label]:.1f} | {surf.get(label, 0.0):.1f} | {surf.get(label, 0.0) / numpy[label]:.2f} |")
PY
