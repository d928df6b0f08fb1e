#!/usr/bin/env bash
# Added latency of the git-promote pre-receive hook (the server guard) over a plain push, over file://, with
# --no-verify so only the server works. Cases, each against a bare repository set up with `git promote install --server`:
#   (a) a push of a branch that does not deploy (policy read from the deploy branch, nothing asked)
#   (b) a push to the deploy branch, green in dev by git evidence (one `git ls-remote` of dev), server cache cleared
#   (c) the same push answered from the server's positive cache
#   (d) a refused push (not green in dev: evidence, then the list of newest green commits)
#   (e) as (b) with the policy from a file (`--policy FILE`) instead of the deploy branch
# plus the peak RSS of the hook process. Usage: bench/server-latency.sh [RUNS] [OUT.md]   (default 25 runs;
# uses GIT_PROMOTE_PREFIX or installs to a temp prefix; OUT.md also gets the table)
set -euo pipefail
runs=${1:-25}
out=${2:-}
[ "$runs" -ge 20 ] || { echo "server-latency.sh: at least 20 runs, please" >&2; exit 2; }
. "$(dirname -- "$0")/lib.sh"
bench_workspace srvbench

bench_isolated_git

for r in dev plain stg stgfile; do git init -q --bare "$work/$r.git"; done
git init -q "$work/app"; cd "$work/app"
git remote add dev "$work/dev.git"
bench_policy dev stg prd
cp .promote.yml "$work/policy.yml"
echo 1 > f; git add -A; git commit -qm one
seed=$(git rev-parse HEAD)
for r in plain stg stgfile; do git push -q --no-verify "file://$work/$r.git" main; done
( cd "$work/stg.git" && "$bin" install --server --env stg >/dev/null && git config promote.remote.dev "$work/dev.git" )
( cd "$work/stgfile.git" && "$bin" install --server --env stg --policy "$work/policy.yml" >/dev/null && git config promote.remote.dev "$work/dev.git" )
echo 2 > f; git commit -qam two; green=$(git rev-parse HEAD)
git push -q --no-verify dev main; "$bin" record dev main >/dev/null
echo 3 > f; git commit -qam three; untested=$(git rev-parse HEAD)

now_ns() { date +%s%N; }
# push_once CASE REPO REFSPEC REF CLEAR EXPECT: reset REF on the server to the seed (untimed, no hook), clear the server
# cache when CLEAR=1, then time one push into $work/CASE.us; EXPECT is ok or refused, anything else stops the benchmark.
push_once() {
  local name=$1 repo=$2 refspec=$3 ref=$4 clear=$5 expect=$6 t0 t1 rc=0
  git --git-dir "$work/$repo.git" update-ref "$ref" "$seed"
  [ "$clear" = 1 ] && rm -f "$work/$repo.git/promote/green-cache"
  t0=$(now_ns); git push -q --no-verify "file://$work/$repo.git" "$refspec" 2>/dev/null || rc=$?; t1=$(now_ns)
  if { [ "$expect" = ok ] && [ $rc -ne 0 ]; } || { [ "$expect" = refused ] && [ $rc -eq 0 ]; }; then
    echo "server-latency.sh: push of $refspec to $repo: exit $rc, expected $expect" >&2; exit 1
  fi
  echo $(( (t1 - t0) / 1000 )) >> "$work/$name.us"
}
# The cases take turns, run after run, so a change in the machine's load shifts them all alike.
for _ in $(seq "$runs"); do
  push_once plain plain "$green:refs/heads/main" refs/heads/main 0 ok
  push_once unguarded stg "$green:refs/heads/feature" refs/heads/feature 0 ok
  push_once fresh stg "$green:refs/heads/main" refs/heads/main 1 ok
  push_once cached stg "$green:refs/heads/main" refs/heads/main 0 ok
  push_once refused stg "$untested:refs/heads/main" refs/heads/main 1 refused
  push_once fromfile stgfile "$green:refs/heads/main" refs/heads/main 1 ok
done
# stats CASE: median, p10, p90 in ms
stats() { sort -n "$work/$1.us" | awk '{a[NR]=$1} END {m=a[int((NR+1)/2)]; lo=a[int(NR*0.1)+1]; hi=a[int(NR*0.9)]; printf "%.1f %.1f %.1f", m/1000, lo/1000, hi/1000}'; }
plain=$(stats plain); unguarded=$(stats unguarded); fresh=$(stats fresh); cached=$(stats cached)
refused=$(stats refused); fromfile=$(stats fromfile)

# Peak RSS of the hook process, for the gated push with the cache cleared (the heaviest accepted path). Run as git
# runs it: in the bare repository, ref updates on stdin (no quarantine: the objects are already there).
rss=0
for _ in $(seq 5); do
  rm -f "$work/stg.git/promote/green-cache"
  kb=$( cd "$work/stg.git" && echo "$seed $green refs/heads/main" | /usr/bin/time -f %M "$bin" hook pre-receive 2>&1 >/dev/null | tail -n 1)
  [ "$kb" -gt "$rss" ] && rss=$kb
done

med() { echo "$1" | cut -d' ' -f1; }
added() { awk -v a="$(med "$1")" -v b="$(med "$plain")" 'BEGIN{printf "%.1f", a-b}'; }
fmt() { set -- $1; echo "$1 ($2-$3)"; }
report() {
  echo "runs per case: $runs (cases interleaved); push over file:// with --no-verify; times in ms as median (p10-p90)"
  echo "machine: $(nproc) cores, $(uname -sr), $(git --version), git-promote $("$bin" --version | cut -d' ' -f2)"
  echo
  echo "| case | push wall time | added by the hook (median) |"
  echo "|---|---|---|"
  echo "| plain push, no hook | $(fmt "$plain") | - |"
  echo "| (a) branch that does not deploy | $(fmt "$unguarded") | $(added "$unguarded") |"
  echo "| (b) deploy branch, green in dev (ls-remote of dev), cache cleared | $(fmt "$fresh") | $(added "$fresh") |"
  echo "| (c) deploy branch, answered from the server's cache | $(fmt "$cached") | $(added "$cached") |"
  echo "| (d) refused: not green in dev | $(fmt "$refused") | $(added "$refused") |"
  echo "| (e) as (b), policy from --policy FILE | $(fmt "$fromfile") | $(added "$fromfile") |"
  echo
  echo "peak RSS of the hook process (case b, 5 runs): $((rss / 1024)) MiB ($rss KiB)"
}
report
if [ -n "$out" ]; then report > "$out"; fi
