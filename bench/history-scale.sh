#!/usr/bin/env bash
# Does the cost of a guarded push grow with history? (issue "years of history")
#   1. git store: a guarded push to stg (dev's evidence in git refs) and `git promote check stg`, with 10, 1,000,
#      10,000 and 100,000 green refs on dev's remote: wall time (median, p10-p90; green cache cleared each run), peak
#      RSS of the hook process, and the pkt-line payload bytes the client read from dev (GIT_TRACE_PACKET).
#   2. SSM store on moto: the same push to prd (stg's evidence in SSM) with 10 and 10,000 parameters under stg's path.
#   3. prune of 10,000 SSM parameters: wall time and AWS calls by operation (counted at a proxy in front of moto).
# The refs are written straight into packed-refs (sorted, as git writes it), not with 100,000 processes.
# Usage: bench/history-scale.sh [RUNS]   (default 15; SIZES="10 1000 10000 100000"; SKIP_SSM=1;
#        GIT_PROMOTE_PREFIX=<prefix of install.sh> or it installs to a temp prefix). SSM needs python3 with moto, boto3.
set -euo pipefail
runs=${1:-15}
sizes=${SIZES:-"10 1000 10000 100000"}
. "$(dirname -- "$0")/lib.sh"
bench_workspace history

bench_isolated_git

now_ns() { date +%s%N; }
# stats: median, p10, p90 in ms from microseconds on stdin
stats() { sort -n | awk '{a[NR]=$1} END {m=a[int((NR+1)/2)]; lo=a[int(NR*0.1)+1]; hi=a[int(NR*0.9)]; printf "%.1f %.1f %.1f", m/1000, lo/1000, hi/1000}'; }
med() { echo "$1" | cut -d' ' -f1; }
fmt() { set -- $1; echo "$1 ($2-$3)"; }

# fill_green BARE N COMMIT: N green refs (random commit-like names, all pointing at COMMIT), beside the refs already there.
fill_green() {
  local bare=$1 n=$2 commit=$3
  git --git-dir "$bare" pack-refs --all
  python3 - "$bare/packed-refs" "$n" "$commit" <<'PY'
import os, sys
path, n, commit = sys.argv[1], int(sys.argv[2]), sys.argv[3]
lines = [l for l in open(path).read().splitlines() if l and not l.startswith("#")]
refs = {}
i = 0
while i < len(lines):
    oid, name = lines[i].split(" ", 1)
    peeled = lines[i + 1] if i + 1 < len(lines) and lines[i + 1].startswith("^") else None
    refs[name] = (oid, peeled)
    i += 2 if peeled else 1
for _ in range(n):
    refs["refs/promote/green/" + os.urandom(20).hex()] = (commit, None)
with open(path, "w") as f:
    f.write("# pack-refs with: peeled fully-peeled sorted \n")
    for name in sorted(refs):
        oid, peeled = refs[name]
        f.write(f"{oid} {name}\n")
        if peeled: f.write(peeled + "\n")
PY
}

# A project: dev (git evidence), stg (git evidence), prd (ssm evidence); one commit green in dev.
setup_git() {
  rm -rf "$work/g"; mkdir -p "$work/g"
  bench_app "$work/g" dev stg plain
  bench_policy dev stg
  echo 1 > f; git add -A; git commit -qm one
  "$bin" install --hooks-dir "$prefix/share/git-promote/hooks" >/dev/null
  git push -q dev main; "$bin" record dev main >/dev/null
  git push -q plain main
}

# time_push REMOTE: delete REMOTE's main and the green cache (untimed), then time one guarded `git push REMOTE main`.
time_push() {
  local remote=$1 out=()
  for _ in $(seq "$runs"); do
    git --git-dir "$(git remote get-url "$remote")" update-ref -d refs/heads/main 2>/dev/null || true
    rm -f .git/promote/green-cache
    local t0 t1; t0=$(now_ns); git push -q "$remote" main 2>/dev/null; t1=$(now_ns)
    out+=($(( (t1 - t0) / 1000 )))
  done
  printf '%s\n' "${out[@]}" | stats
}
time_check() {
  local out=()
  for _ in $(seq "$runs"); do
    rm -f .git/promote/green-cache
    local t0 t1; t0=$(now_ns); "$bin" check "$1" main >/dev/null 2>&1; t1=$(now_ns)
    out+=($(( (t1 - t0) / 1000 )))
  done
  printf '%s\n' "${out[@]}" | stats
}
# peak RSS (KiB) of the hook process for one guarded push, and the pkt-line payload bytes it read from the remote.
hook_rss() {
  local remote=$1 sha zero kb max=0
  sha=$(git rev-parse HEAD); zero=$(printf '%040d' 0)
  for _ in 1 2 3; do
    rm -f .git/promote/green-cache
    kb=$(echo "refs/heads/main $sha refs/heads/main $zero" | /usr/bin/time -f %M "$bin" hook pre-push "$remote" "$(git remote get-url "$remote")" 2>&1 >/dev/null | tail -n 1)
    [ "$kb" -gt "$max" ] && max=$kb
  done
  echo "$max"
}
hook_bytes() {
  local remote=$1 sha zero
  sha=$(git rev-parse HEAD); zero=$(printf '%040d' 0)
  rm -f .git/promote/green-cache "$work/trace"
  echo "refs/heads/main $sha refs/heads/main $zero" | GIT_TRACE_PACKET="$work/trace" "$bin" hook pre-push "$remote" "$(git remote get-url "$remote")" >/dev/null 2>&1 || true
  # Lines the client read ("fetch<", "ls-remote<", "git<"): payload after "packet: <who>< ".
  awk '/packet: +[a-z-]+< / { sub(/.*packet: +[a-z-]+< /, ""); n += length($0) + 4 } END { print n + 0 }' "$work/trace"
}

echo "runs per case: $runs; times in ms as median (p10-p90); each push: green cache cleared, stg/main deleted first"
echo
echo "## git store: green refs on dev's remote"
echo
echo "| green refs on dev | guarded push to stg | git promote check stg | plain push (no hook) | hook peak RSS | bytes read from dev |"
echo "|---|---|---|---|---|---|"
setup_git
have=1
base=
for n in $sizes; do
  add=$(( n - have )); [ "$add" -gt 0 ] && fill_green "$work/g/dev.git" "$add" "$(git rev-parse HEAD)"
  have=$n
  plain_out=()
  for _ in $(seq "$runs"); do
    git --git-dir "$work/g/plain.git" update-ref -d refs/heads/main
    t0=$(now_ns); git -c core.hooksPath=/dev/null push -q plain main; t1=$(now_ns); plain_out+=($(( (t1 - t0) / 1000 )))
  done
  plain=$(printf '%s\n' "${plain_out[@]}" | stats)
  push=$(time_push stg); check=$(time_check stg)
  rss=$(hook_rss stg); bytes=$(hook_bytes stg)
  [ -z "$base" ] && base=$(med "$push")
  ratio=$(awk -v a="$(med "$push")" -v b="$base" 'BEGIN{printf "%.2f", a/b}')
  echo "| $n | $(fmt "$push") (${ratio}x) | $(fmt "$check") | $(fmt "$plain") | $(( rss / 1024 )) MB | $bytes |"
done

[ "${SKIP_SSM:-0}" = 1 ] && exit 0

start_moto
start_counting_proxy
fake_aws_credentials
export AWS_ENDPOINT_URL_SSM="$proxy" AWS_ENDPOINT_URL_STS="$proxy"

# put_params N: N green parameters under /promote/bench/stg/green/ (boto3, straight to moto).
put_params() {
  python3 - "$moto" "$1" <<'PY'
import os, sys, boto3
ssm = boto3.client("ssm", endpoint_url=sys.argv[1], region_name="eu-west-1")
for _ in range(int(sys.argv[2])):
    ssm.put_parameter(Name="/promote/bench/stg/green/" + os.urandom(20).hex(), Value='{"recordedAt":"2020-01-01T00:00:00Z"}', Type="String")
PY
}
counts() { curl -s "$proxy/__counts"; }

rm -rf "$work/s"; mkdir -p "$work/s"
bench_app "$work/s" dev stg prd
bench_policy dev stg:ssm prd:ssm
echo 1 > f; git add -A; git commit -qm one
"$bin" install --hooks-dir "$prefix/share/git-promote/hooks" >/dev/null
git push -q --no-verify stg main
"$bin" record stg main >/dev/null

echo
echo "## SSM store (moto): green parameters under /promote/bench/stg/"
echo
echo "| parameters under stg | guarded push to prd | git promote check prd | hook peak RSS | AWS calls per push |"
echo "|---|---|---|---|---|"
have=1
for n in 10 10000; do
  put_params $(( n - have )); have=$n
  push=$(time_push prd); check=$(time_check prd); rss=$(hook_rss prd)
  git --git-dir "$work/s/prd.git" update-ref -d refs/heads/main 2>/dev/null || true; rm -f .git/promote/green-cache
  curl -s -X POST "$proxy/__reset" >/dev/null; git push -q prd main 2>/dev/null
  echo "| $n | $(fmt "$push") | $(fmt "$check") | $(( rss / 1024 )) MB | $(counts) |"
done

echo
echo "## prune of the SSM store"
echo
curl -s -X POST "$proxy/__reset" >/dev/null
t0=$(now_ns); "$bin" prune stg --keep 100 --older-than 0s | tail -n 1 > "$work/prune.out"; t1=$(now_ns)
echo "prune stg --keep 100 --older-than 0s on $have parameters: $(( (t1 - t0) / 1000000 )) ms; $(cat "$work/prune.out")"
echo "AWS calls: $(counts)"
