#!/usr/bin/env bash
# Added latency of the git-promote pre-push hook over a plain `git push` to a local bare repository.
#   (a) a push to dev (first environment: no gate)
#   (b) a push to stg answered by git evidence (one `git fetch` of the commit's records from dev), cache cleared before each run
#   (c) the same push answered from the local positive cache
# plus a push whose pre-push hook does nothing (`cat >/dev/null`: what git's own running of any hook costs), the cost
# of one bare `git ls-remote` (the floor for b) and the peak RSS of the hook process.
# Usage: bench/hook-latency.sh [RUNS]        (default 25; uses GIT_PROMOTE_PREFIX or installs to a temp prefix)
set -euo pipefail
runs=${1:-25}
. "$(dirname -- "$0")/lib.sh"
bench_workspace bench

bench_isolated_git

bench_app "$work" dev stg prd plain
bench_policy dev stg prd
echo 1 > f; git add -A; git commit -qm one
git push -q plain main; git push -q dev main; git push -q stg main 2>/dev/null || true
"$bin" install --hooks-dir "$prefix/share/git-promote/hooks" >/dev/null
git push -q dev main
"$bin" record dev main >/dev/null
sha=$(git rev-parse HEAD)

now_ns() { date +%s%N; }
# time_push REMOTE [setup-cmd]: delete the remote's main (untimed), then time one push of main.
sample() {
  local remote=$1 nohook=$2 clear=$3 out=()
  for _ in $(seq "$runs"); do
    git --git-dir "$work/$remote.git" update-ref -d refs/heads/main 2>/dev/null || true
    [ "$clear" = 1 ] && rm -f .git/promote/green-cache
    local t0 t1
    if [ "$nohook" = 1 ]; then t0=$(now_ns); git -c core.hooksPath=/dev/null push -q "$remote" main; t1=$(now_ns)
    elif [ "$nohook" = trivial ]; then t0=$(now_ns); git -c core.hooksPath="$work/trivial-hooks" push -q "$remote" main; t1=$(now_ns)
    else t0=$(now_ns); git push -q "$remote" main 2>/dev/null; t1=$(now_ns); fi
    out+=($(( (t1 - t0) / 1000 )))
  done
  printf '%s\n' "${out[@]}" | sort -n
}
sample_cmd() { local out=(); for _ in $(seq "$runs"); do local t0 t1; t0=$(now_ns); "$@" >/dev/null; t1=$(now_ns); out+=($(( (t1 - t0) / 1000 ))); done; printf '%s\n' "${out[@]}" | sort -n; }
# stats: median, p10, p90 in ms from sorted microseconds on stdin
stats() { awk '{a[NR]=$1} END {m=a[int((NR+1)/2)]; lo=a[int(NR*0.1)+1]; hi=a[int(NR*0.9)]; printf "%.1f %.1f %.1f", m/1000, lo/1000, hi/1000}'; }

mkdir -p "$work/trivial-hooks"; printf '#!/bin/sh\ncat >/dev/null\n' > "$work/trivial-hooks/pre-push"; chmod +x "$work/trivial-hooks/pre-push"
plain=$(sample plain 1 0 | stats)
trivial=$(sample plain trivial 0 | stats)
dev=$(sample dev 0 0 | stats)
stg_fresh=$(sample stg 0 1 | stats)
stg_cached=$(sample stg 0 0 | stats)
lsremote=$(sample_cmd git ls-remote "$work/dev.git" 'refs/promote/green/*' | stats)

med() { echo "$1" | cut -d' ' -f1; }
added() { awk -v a="$(med "$1")" -v b="$(med "$plain")" 'BEGIN{printf "%.1f", a-b}'; }

# Peak RSS of the hook process itself, for the gated push (the heaviest path).
zero=$(printf '%040d' 0)
rss=0
for _ in $(seq 5); do
  rm -f .git/promote/green-cache
  kb=$(echo "refs/heads/main $sha refs/heads/main $zero" | /usr/bin/time -f %M "$bin" hook pre-push stg "$work/stg.git" 2>&1 >/dev/null | tail -n 1)
  [ "$kb" -gt "$rss" ] && rss=$kb
done

echo "runs per case: $runs; times in ms as median (p10-p90)"
echo
echo "| case | push wall time | added by the hook (median) |"
echo "|---|---|---|"
fmt() { set -- $1; echo "$1 ($2-$3)"; }
echo "| plain push, no hook | $(fmt "$plain") | - |"
echo "| push with a pre-push hook that does nothing | $(fmt "$trivial") | $(added "$trivial") |"
echo "| (a) push to dev, no gate | $(fmt "$dev") | $(added "$dev") |"
echo "| (b) push to stg, git evidence (fetch of the commit's records from dev) | $(fmt "$stg_fresh") | $(added "$stg_fresh") |"
echo "| (c) push to stg, answered from the positive cache | $(fmt "$stg_cached") | $(added "$stg_cached") |"
echo "| one bare \`git ls-remote\` of dev (floor for b) | $(fmt "$lsremote") | - |"
echo
echo "peak RSS of the hook process (gated push, 5 runs): $((rss / 1024)) MiB ($rss KiB)"
