#!/usr/bin/env bash
# The guarded push's budget (issue 27): one `git ls-remote` + 10 ms over a plain push, measured paired. Each round runs,
# in turn, a plain push (hooks off), a push through a pre-push hook that does nothing, the guarded push to stg (git
# evidence, positive cache cleared: the records of dev and the revocations of stg are read) and one `git ls-remote` of
# dev; a machine whose speed drifts moves all four of a round alike. Per round: added = guarded - plain, and
# over budget = added - ls-remote - 10 ms. Prints medians and p10-p90 over the rounds.
# Usage: bench/guarded-push-budget.sh [ROUNDS]   (default 60; uses GIT_PROMOTE_PREFIX or installs to a temp prefix)
set -euo pipefail
rounds=${1:-60}
. "$(dirname -- "$0")/lib.sh"
bench_workspace budget
bench_isolated_git

bench_app "$work" dev stg plain
bench_policy dev stg
echo 1 > f; git add -A; git commit -qm one
git push -q plain main; git push -q dev main
"$bin" install --hooks-dir "$prefix/share/git-promote/hooks" >/dev/null
"$bin" record dev main >/dev/null
mkdir -p "$work/nothing"; printf '#!/bin/sh\ncat >/dev/null\n' > "$work/nothing/pre-push"; chmod +x "$work/nothing/pre-push"

now_us() { echo $(( $(date +%s%N) / 1000 )); }
timed() { local t0 t1; t0=$(now_us); "$@" >/dev/null 2>&1; t1=$(now_us); echo $((t1 - t0)); }
reset() { git --git-dir "$work/$1.git" update-ref -d refs/heads/main 2>/dev/null || true; }

: > "$work/rounds"
for _ in $(seq "$rounds"); do
  reset plain; p=$(timed git -c core.hooksPath=/dev/null push -q plain main)
  reset plain; n=$(timed git -c core.hooksPath="$work/nothing" push -q plain main)
  reset stg; rm -f .git/promote/green-cache; g=$(timed git push -q stg main)
  l=$(timed git ls-remote "$work/dev.git" 'refs/promote/green/*')
  echo "$p $n $g $l" >> "$work/rounds"
done
git --git-dir "$work/stg.git" rev-parse -q --verify refs/heads/main >/dev/null || { echo "the guarded push did not land" >&2; exit 1; }

python3 - "$work/rounds" <<'PY'
import statistics, sys
rows = [list(map(int, l.split())) for l in open(sys.argv[1])]
def q(xs):
    xs = sorted(xs); n = len(xs)
    return statistics.median(xs) / 1000, xs[int(n * 0.1)] / 1000, xs[min(n - 1, int(n * 0.9))] / 1000
def show(name, xs): print("| %s | %.1f | %.1f-%.1f |" % ((name,) + q(xs)))
print("rounds: %d; ms" % len(rows))
print("| figure | median | p10-p90 |")
print("|---|---|---|")
show("plain push", [r[0] for r in rows])
show("added by a pre-push hook that does nothing", [r[1] - r[0] for r in rows])
show("added by the guard (b): guarded push - plain push", [r[2] - r[0] for r in rows])
show("one `git ls-remote` of dev", [r[3] for r in rows])
show("over budget: added - (ls-remote + 10 ms); negative = within", [r[2] - r[0] - r[3] - 10000 for r in rows])
within = sum(1 for r in rows if r[2] - r[0] <= r[3] + 10000)
print("rounds within the budget: %d of %d" % (within, len(rows)))
PY
