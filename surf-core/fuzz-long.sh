#!/usr/bin/env bash
# A long fuzzing run of every fuzz target with Jazzer's standalone driver (docs/reliability.md).
# Usage: surf-core/fuzz-long.sh [SECONDS_PER_TARGET]   (default 600). Needs a JDK 25 in JAVA_HOME and
# the test classes built: ./mvnw -pl surf-core test-compile. Corpora grow in surf-core/.cifuzz-corpus/<target>/;
# a crash is written as surf-core/crash-<hash> (make it a regression test) and ends the run with exit 1.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-600}"
../mvnw -o -B -q dependency:build-classpath -Dmdep.outputFile=target/fuzz.cp -Dmdep.includeScope=test >/dev/null
# a private copy of the classes, so that a build running meanwhile cannot pull them away
snap="$(mktemp -d)"
trap 'rm -rf "$snap"' EXIT
cp -r target/test-classes "$snap/test-classes" && cp -r target/classes "$snap/classes"
cp="$snap/test-classes:$snap/classes:$(cat target/fuzz.cp)"
for target in dev.surf.core.safetensors.SafetensorsFuzzTarget dev.surf.core.safetensors.ShardIndexFuzzTarget \
    dev.surf.core.pth.PthFuzzTarget dev.surf.core.pth.PickleFuzzTarget; do
  corpus=".cifuzz-corpus/long-$target"
  seeds="src/test/resources/$(echo "${target%.*}" | tr . /)/${target##*.}Inputs"
  mkdir -p "$corpus"
  echo "== $target for ${seconds}s (seeds: $seeds)"
  "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp "$cp" com.code_intelligence.jazzer.Jazzer \
      --target_class="$target" -max_total_time="$seconds" -print_final_stats=1 "$corpus" $(ls -d "$seeds"/*/)
done
