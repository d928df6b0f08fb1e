#!/usr/bin/env bash
# What `health:` costs a push, against the local emulator (moto), with real `git push` through the installed hook:
#   1. AWS requests per 1-ref push to prd (green cache cleared, and answered from the cache) without health on stg,
#      with two alarm names, and with two names and one prefix, counted at a proxy in front of moto;
#   2. the wall time of the same push (green from the cache, so the difference is the health read), straight to moto.
# The alarms are OK and healthy_for is 1s, so every push goes through.
# Usage: bench/health.sh [RUNS]   (default 25; GIT_PROMOTE_PREFIX=<prefix of install.sh> or it installs to a temp
#        prefix). Needs python3 with moto, curl and the aws CLI.
set -euo pipefail
runs=${1:-25}
. "$(dirname -- "$0")/lib.sh"
bench_workspace health-bench

start_moto
start_counting_proxy
bench_isolated_git
fake_aws_credentials

bench_app "$work" dev stg prd
echo 1 > f; git add -A; git commit -qm one
"$bin" install --hooks-dir "$prefix/share/git-promote/hooks" >/dev/null
sha=$(git rev-parse HEAD)
export AWS_ENDPOINT_URL="$moto"
aws ssm put-parameter --name "/promote/bench/stg/green/$sha" --type String \
  --value '{"recordedAt":"2025-01-01T00:00:00Z","recordedBy":"bench"}' >/dev/null
for a in orders-stg-5xx orders-stg-errors orders-stg-latency-p50 orders-stg-latency-p90 orders-stg-latency-p99; do
  aws cloudwatch put-metric-alarm --alarm-name "$a" --namespace AWS/ApplicationELB --metric-name x --statistic Sum \
    --period 60 --evaluation-periods 1 --threshold 1 --comparison-operator GreaterThanThreshold
  aws cloudwatch set-alarm-state --alarm-name "$a" --state-value OK --state-reason bench
done
sleep 2   # older than healthy_for: 1s

policy() {   # policy HEALTH-YAML-OR-EMPTY
  bench_policy dev stg:ssm prd:ssm
  [ -z "$1" ] || sed -i "s|^  - { name: stg, \(.*\) }\$|  - { name: stg, \1, health: $1 }|" .promote.yml
}
unpush() { git --git-dir "$work/prd.git" update-ref -d refs/heads/main 2>/dev/null || true; }
counts() { curl -s "$proxy/__counts"; }
reset_counts() { curl -s -X POST "$proxy/__reset" >/dev/null; }
op() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["byOperation"].get(sys.argv[1],0) if sys.argv[1]!="total" else d["total"])' "$1"; }

# requests CACHE -> "total DescribeAlarms"
requests() {
  unpush; [ "$1" = cold ] && rm -f .git/promote/green-cache; reset_counts
  AWS_ENDPOINT_URL="$proxy" git push -q prd main 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  local c; c=$(counts); echo "$(echo "$c" | op total) $(echo "$c" | op DescribeAlarms)"
}
latency() {
  local out=() t0 t1
  AWS_ENDPOINT_URL="$moto" git push -q prd main 2>/dev/null; unpush   # warm the green cache
  for _ in $(seq "$runs"); do
    unpush; t0=$(date +%s%N); git push -q prd main 2>/dev/null; t1=$(date +%s%N)
    out+=($(( (t1 - t0) / 1000 )))
  done
  printf '%s\n' "${out[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f %.1f %.1f", a[int((NR+1)/2)]/1000, a[int(NR*0.1)+1]/1000, a[int(NR*0.9)]/1000}'
}

declare -A label cold warm lat
cases="none names prefix"
label[none]="no health on stg"
label[names]="health: 2 alarm names"
label[prefix]="health: 2 names + 1 prefix (3 alarms)"
for c in $cases; do
  case $c in
    none) policy "" ;;
    names) policy "{ alarms: [orders-stg-5xx, orders-stg-errors], healthy_for: 1s }" ;;
    prefix) policy "{ alarms: [orders-stg-5xx, orders-stg-errors, 'orders-stg-latency-*'], healthy_for: 1s }" ;;
  esac
  cold[$c]=$(requests cold); warm[$c]=$(requests warm); lat[$c]=$(latency)
done

echo "## health: AWS requests and latency of a 1-ref push to prd (SSM evidence in stg, local moto)"
echo
echo "Requests counted at a proxy in front of moto; latency over $runs runs, green from the positive cache, ms median (p10-p90)."
echo
echo "| stg's policy | requests, cache cleared | of which DescribeAlarms | requests, green cached | push wall time | added by health (median) |"
echo "|---|---|---|---|---|---|"
base=$(echo "${lat[none]}" | cut -d' ' -f1)
for c in $cases; do
  set -- ${cold[$c]}; ct=$1 cd=$2
  set -- ${warm[$c]}; wt=$1
  set -- ${lat[$c]}; m=$1 lo=$2 hi=$3
  added=$(awk -v a="$m" -v b="$base" 'BEGIN{printf "%.1f", a-b}')
  echo "| ${label[$c]} | $ct | $cd | $wt | $m ($lo-$hi) | $([ "$c" = none ] && echo - || echo "$added") |"
done
