#!/usr/bin/env bash
# Packs .gpu/ for a device run of the CUDA tests and benchmarks, small enough to carry.
#
#   cuda/gpu-bundle.sh [--no-build]
#
# It runs ../shared/gpu/bundle.sh (without its .git/info/exclude step, which fails in a git worktree
# where .git is a file; .gitignore already excludes /.gpu/), then trims what the 64 MiB carry limit
# cannot afford:
#   - the JCuda natives jar down to libJCudaDriver (the runtime, NVRTC and PTX-compiler libraries
#     are never loaded by the driver-API backend): about -9 MB;
#   - the text and chart libraries (DJL tokenizers and its dependencies, jsoup, JFreeChart): device
#     runs encode token ids, never text, and draw no charts;
#   - the conformance fixtures copied into .gpu/cp/surf-core/test-classes (about -13 MB): they are
#     tracked files and travel with the tree anyway, so the test run adds
#     `--class-path surf-core/src/test/resources` instead.
# Then, with the device tool (carry [".gpu"]):
#   .gpu/run.sh test --class-path surf-core/src/test/resources --include-tag gpu --scan-class-path
#   OUT=$OUT surf-bench/peer/run.sh
set -euo pipefail
top=$(git rev-parse --show-toplevel)
cd "$top"
shared=${SURF_SHARED:-$top/../shared}
[ -f "$shared/gpu/bundle.sh" ] || shared=/work/shared
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
grep -v 'info/exclude' "$shared/gpu/bundle.sh" > "$tmp"
bash "$tmp" "$@"

JDK=${SURF_JDK:-$(ls -d /usr/lib/jvm/*25* 2>/dev/null | head -1)}
natives=$(ls .gpu/lib/jcuda-natives-*.jar)
work=$(mktemp -d)
(cd "$work" && "$JDK/bin/jar" --extract --file "$top/$natives" && find lib -type f ! -name 'libJCudaDriver-*' -delete)
rm "$natives"
"$JDK/bin/jar" --create --no-manifest --file "$natives" -C "$work" lib
rm -rf "$work" .gpu/cp/surf-core/test-classes/conformance
# text and chart libraries that device runs never load (they tokenize no text and draw no charts):
# DJL's tokenizers (natives for four platforms, ~19 MB) with its api/jna/commons/gson dependencies,
# jsoup (prompt cleaning) and JFreeChart, ~27 MB in all
rm -f .gpu/lib/tokenizers-*.jar .gpu/lib/api-*.jar .gpu/lib/jna-*.jar .gpu/lib/commons-compress-*.jar \
      .gpu/lib/commons-io-*.jar .gpu/lib/commons-codec-*.jar .gpu/lib/gson-*.jar .gpu/lib/jsoup-*.jar \
      .gpu/lib/jfreechart-*.jar
# the JUnit console launcher does not expand "lib/*" the way java -cp does: list the jars instead
sed -i 's|^cp="\(.*\)\$here/lib/\*"$|cp="\1$(ls "$here"/lib/*.jar \| tr '"'"'\\n'"'"' :)"|' .gpu/run.sh
grep -q 'lib/\*.jar' .gpu/run.sh || { echo "gpu-bundle: could not patch the class path of .gpu/run.sh" >&2; exit 1; }
echo "gpu-bundle: $(du -sh .gpu | cut -f1) in .gpu/, tracked tree $(git ls-files -z | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1) bytes"
