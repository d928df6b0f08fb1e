#!/usr/bin/env bash
# The pipeline gate with SSM evidence, against the local emulator (moto): wall time and peak RSS of
#   A. `git-promote gate prd --policy FILE` in an unpacked `git archive` (no .git), CODEBUILD_RESOLVED_SOURCE_VERSION
#      set, the commit green in stg by SSM: the whole decision (order, soak, freeze, approvals, revocations of stg and
#      prd, rollback) in one GetParameters per environment;
#   B. `aws ssm get-parameter --name /promote/bench/stg/green/<sha>`: the one call a team would script instead (which
#      checks order only: no revocation, rollback, bypass, soak or freeze).
# Usage: bench/gate-latency.sh [RUNS]   (default 20; GIT_PROMOTE_PREFIX=<prefix of install.sh> or it installs to a
#        temp prefix). Needs python3 with moto, the aws CLI, and GNU time (/usr/bin/time) for peak RSS.
set -euo pipefail
runs=${1:-20}
. "$(dirname -- "$0")/lib.sh"
bench_workspace gate-bench

start_moto

bench_isolated_git
fake_aws_credentials
export AWS_REGION=eu-west-1 AWS_ENDPOINT_URL="$moto"

git init -q "$work/app"; cd "$work/app"
bench_policy dev stg:ssm prd:ssm
cp .promote.yml "$work/pinned.yml"
echo 1 > f; git add -A; git commit -qm one
sha=$(git rev-parse HEAD)
mkdir "$work/src"; git archive "$sha" | tar -x -C "$work/src"
aws ssm put-parameter --name "/promote/bench/stg/green/$sha" --type String \
  --value "{\"recordedAt\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\",\"recordedBy\":\"bench\"}" >/dev/null
export CODEBUILD_RESOLVED_SOURCE_VERSION="$sha"
cd "$work/src"

gate=("$bin" gate prd --policy "$work/pinned.yml")
cli=(aws ssm get-parameter --name "/promote/bench/stg/green/$sha")
"${gate[@]}" | sed -n 2p
"${cli[@]}" >/dev/null

# Median of wall time in ms and of peak RSS in KiB, over $runs runs, after one warm-up.
measure() {
  local label=$1; shift
  "$@" >/dev/null 2>&1 || true
  local walls=() rsss=()
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s%N)
    /usr/bin/time -f %M -o "$work/rss" "$@" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    walls+=($(( (end - start) / 1000 ))); rsss+=($(cat "$work/rss"))
  done
  local wall rss
  wall=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END {m=a[int((NR+1)/2)]; printf "%.1f (%.1f-%.1f)", m/1000, a[int(NR*0.1)+1]/1000, a[int(NR*0.9)]/1000}')
  rss=$(printf '%s\n' "${rsss[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1024}')
  printf '| %s | %s | %s |\n' "$label" "$wall" "$rss"
}
echo "| case ($runs runs) | wall ms, median (p10-p90) | peak RSS MiB, median |"
echo "|---|---|---|"
measure "git promote gate prd (SSM evidence in stg, revocations of stg and prd, rollback)" "${gate[@]}"
measure "aws ssm get-parameter (green in stg only)" "${cli[@]}"
