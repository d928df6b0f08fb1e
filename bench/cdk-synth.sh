#!/usr/bin/env bash
# What the CDK construct costs: synthesizing the example's three stacks (dotnet + the jsii node process), and the
# whole CDK test project (two synthesized sets, one per fixture, plus one single-stack synthesis).
# Usage: bench/cdk-synth.sh [RUNS]        (default 3; builds both projects first (Debug), then times them without building)
set -euo pipefail
runs=${1:-3}
root=$(cd -- "$(dirname -- "$0")/.." && pwd)
out=$(mktemp -d "${TMPDIR:-/tmp}/gp-cdk-bench.XXXXXX")
trap 'rm -rf "$out"' EXIT
dotnet build "$root/tests/GitPromote.Cdk.Tests" --nologo -v quiet >/dev/null

measure() {
  local label=$1; shift
  for i in $(seq "$runs"); do
    /usr/bin/time -f "$label run $i: %e s wall, %U s user, %S s sys, %M KiB peak" "$@" >/dev/null 2>"$out/time" || { cat "$out/time" >&2; exit 1; }
    tail -n 1 "$out/time"
  done
}
measure "example synth" dotnet run --no-build --project "$root/examples/cdk" -- --outdir "$out/synth"
measure "CDK tests" dotnet test "$root/tests/GitPromote.Cdk.Tests" --no-build --nologo
