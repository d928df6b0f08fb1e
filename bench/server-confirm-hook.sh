#!/usr/bin/env bash
# What the reference-transaction hook that `git promote install --server` installs adds to a guarded push: the same
# push (a commit green in dev, over file:// with --no-verify) to two bare repositories set up alike, one with the
# hook, one with it removed. Nothing is pending in either, so the hook's fast path (no git started) is measured; a
# bypass push additionally writes its record from the hook. Usage: bench/server-confirm-hook.sh [RUNS]
# (default 25; uses GIT_PROMOTE_PREFIX or installs to a temp prefix). Times are wall ms, median (p10-p90).
set -euo pipefail
runs=${1:-25}
. "$(dirname -- "$0")/lib.sh"
bench_workspace confirmbench

bench_isolated_git
for r in dev with without; do git init -q --bare "$work/$r.git"; done
git init -q "$work/app"; cd "$work/app"; git remote add dev "$work/dev.git"
bench_policy dev stg
echo 1 > f; git add -A; git commit -qm one; seed=$(git rev-parse HEAD)
for r in with without; do
  git push -q --no-verify "file://$work/$r.git" main
  ( cd "$work/$r.git" && "$bin" install --server --env stg >/dev/null && git config promote.remote.dev "$work/dev.git" )
done
rm "$work/without.git/hooks/reference-transaction"
echo 2 > f; git commit -qam two; green=$(git rev-parse HEAD)
git push -q --no-verify dev main; "$bin" record dev main >/dev/null

now_ns() { date +%s%N; }
push_once() {
  # reset main to the seed without any hook (untimed), then time the push
  git -c core.hooksPath=/nonexistent --git-dir "$work/$1.git" update-ref refs/heads/main "$seed"
  local t0 t1; t0=$(now_ns); git push -q --no-verify "file://$work/$1.git" "$green:refs/heads/main" 2>/dev/null; t1=$(now_ns)
  echo $(( (t1 - t0) / 1000 )) >> "$work/$1.us"
}
for _ in $(seq "$runs"); do push_once with; push_once without; done
stats() { sort -n "$work/$1.us" | awk '{a[NR]=$1} END {m=a[int((NR+1)/2)]; lo=a[int(NR*0.1)+1]; hi=a[int(NR*0.9)]; printf "%.1f (%.1f-%.1f)", m/1000, lo/1000, hi/1000}'; }
echo "runs: $runs per case, interleaved; wall ms, median (p10-p90)"
echo "| case | push wall time |"
echo "|---|---|"
echo "| guarded push, with the reference-transaction hook | $(stats with) |"
echo "| guarded push, hook removed | $(stats without) |"
