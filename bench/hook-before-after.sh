#!/usr/bin/env bash
# The pre-push hook process alone, two builds paired: BEFORE and AFTER run in turn (B A B A ...) on the same input in
# the same clone, so a machine whose speed drifts moves both alike; the figure is the median of the per-pair ratios.
#   (a) a push to dev: no gate (the unguarded path: no git process, no libgit2)
#   (b) a push to stg answered by git evidence, positive cache cleared before each run (one `git fetch`)
#   (c) the same push answered from the positive cache
#   (d) as (b), with an [include] in the clone's config: git's files are then read by one `git config` process, which
#       the guarded path used to start twice (the route check's remote list, then the repository) and now starts once
# Usage: bench/hook-before-after.sh BEFORE_PREFIX AFTER_PREFIX [PAIRS]   (prefixes made by install.sh --prefix; default 40)
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 BEFORE_PREFIX AFTER_PREFIX [PAIRS]" >&2; exit 2; }
before="$1/bin/git-promote"; after="$2/bin/git-promote"; pairs=${3:-40}
GIT_PROMOTE_PREFIX=$2
bench=$(cd -- "$(dirname -- "$0")" && pwd)
. "$bench/lib.sh"
bench_workspace before-after
bench_isolated_git

bench_app "$work" dev stg
bench_policy dev stg
echo 1 > f; git add -A; git commit -qm one
git push -q dev main
"$after" record dev main >/dev/null
sha=$(git rev-parse HEAD)
zero=0000000000000000000000000000000000000000
printf 'refs/heads/main %s refs/heads/main %s\n' "$sha" "$zero" > "$work/input"

# bench/paired_runs.py times the pairs: each hook run from outside (wall, and cpu and peak RSS from the kernel's
# rusage of that child), in microseconds. Case argument 3: 1 to clear the positive cache before each run.
case_() {
  clear=; [ "$3" = 1 ] && clear="$PWD/.git/promote/green-cache"
  python3 "$bench/paired_runs.py" "$1" "$before" "$after" "$work/input" "$pairs" "$clear" \
    hook pre-push "$2" "$work/$2.git"
}

echo "before: $("$before" --version)   after: $("$after" --version)   load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| case | pairs | wall, median (after / before) | cpu, median (after / before) | wall after/before | cpu after/before | peak RSS (after / before) |"
echo "|---|---|---|---|---|---|---|"
case_ "(a) push to dev, no gate" dev 0
case_ "(b) push to stg, git evidence, cache cleared" stg 1
case_ "(c) push to stg, from the positive cache" stg 0
printf '[promote "bench"]\n\tnote = included\n' > "$work/included.config"
git config include.path "$work/included.config"
case_ "(d) as (b), the config read by git config (an include)" stg 1
