#!/usr/bin/env bash
# What the command layer costs at start-up, two builds paired: BEFORE and AFTER run in turn (B A B A ...) with the same
# arguments and input in the same clone, so a machine whose speed drifts moves both alike; the figure is the median of
# the per-pair ratios. The command definitions are built and the arguments parsed on every run, so these are where a
# slower parser would show:
#   (a) git-promote hook pre-push dev <url>: a push to dev, no gate (the unguarded hook path)
#   (b) git-promote --version
#   (c) git-promote check --help (the help written from the definition, against the old one-line usage)
# Usage: bench/cli-before-after.sh BEFORE_PREFIX AFTER_PREFIX [PAIRS]   (prefixes made by install.sh --prefix; default 40)
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 BEFORE_PREFIX AFTER_PREFIX [PAIRS]" >&2; exit 2; }
before="$1/bin/git-promote"; after="$2/bin/git-promote"; pairs=${3:-40}
GIT_PROMOTE_PREFIX=$2
. "$(dirname -- "$0")/lib.sh"
bench_workspace cli-before-after
bench_isolated_git

bench_app "$work" dev stg
bench_policy dev stg
echo 1 > f; git add -A; git commit -qm one
sha=$(git rev-parse HEAD)
zero=0000000000000000000000000000000000000000
printf 'refs/heads/main %s refs/heads/main %s\n' "$sha" "$zero" > "$work/input"
: > "$work/empty"

# Timed by bench/paired_runs.py (wall, cpu and peak RSS of each run, in microseconds).
case_() {
  local name=$1 stdin=$2; shift 2
  python3 "$root/bench/paired_runs.py" "$name" "$before" "$after" "$stdin" "$pairs" "" "$@"
}

echo "before: $("$before" --version)   after: $("$after" --version)   load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| case | pairs | wall, median (after / before) | cpu, median (after / before) | wall after/before | cpu after/before | peak RSS (after / before) |"
echo "|---|---|---|---|---|---|---|"
case_ "(a) hook pre-push, push to dev, no gate" "$work/input" hook pre-push dev "$work/dev.git"
case_ "(b) --version" "$work/empty" --version
case_ "(c) check --help" "$work/empty" check --help
