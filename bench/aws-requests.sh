#!/usr/bin/env bash
# AWS cost of the guard, measured against the local emulator (moto), with real `git push` through the installed hook:
#   1. AWS requests per push for 1, 10, 100 and 1000 refs pushed at once (release/* deploy branches, each its own
#      commit, all green in stg by SSM), counted where they arrive: at a counting proxy in front of moto. Also the
#      same 1-ref push with 2 and with ~1100 green commits in stg's history.
#   2. Latency of a guarded 1-ref push to prd with SSM evidence: cache cleared each run, and answered from the cache.
# Each beside the obvious scripted alternative: bench/aws-cli-pre-push.sh, a sh hook calling `aws ssm get-parameter`
# per ref, doing the same pushes.
# Usage: bench/aws-requests.sh [RUNS]   (default 25 latency runs per case; REFS="1 10 100 1000" to choose the sizes;
#        SKIP_SH=1 leaves out the sh + AWS CLI pushes, which take ~10 minutes for 1000 refs;
#        GIT_PROMOTE_PREFIX=<prefix of install.sh> or it installs to a temp prefix). Needs python3 with moto, boto3, aws.
set -euo pipefail
runs=${1:-25}
sizes=${REFS:-"1 10 100 1000"}
skip_sh=${SKIP_SH:-0}
. "$(dirname -- "$0")/lib.sh"
bench_workspace aws-bench

start_moto
start_counting_proxy

bench_isolated_git
fake_aws_credentials
export PROMOTE_SERVICE=bench

for r in dev stg prd plain; do git init -q --bare "$work/$r.git"; done
git init -q "$work/app"; cd "$work/app"
for r in dev stg prd plain; do git remote add "$r" "$work/$r.git"; done
cat > .promote.yml <<'YML'
version: 1
name: bench
branches: [main, 'release/*']
environments:
  - { name: dev, remotes: [dev], evidence: [ { git: {} } ] }
  - { name: stg, remotes: [stg], aws: { region: eu-west-1 }, evidence: [ { ssm: {} } ] }
  - { name: prd, remotes: [prd], aws: { region: eu-west-1 }, evidence: [ { ssm: {} } ] }
YML
echo 1 > f; git add -A; git commit -qm one
"$bin" install --hooks-dir "$prefix/share/git-promote/hooks" >/dev/null
main=$(git rev-parse HEAD)
shhooks="$work/sh-hooks"; mkdir -p "$shhooks"; cp "$root/bench/aws-cli-pre-push.sh" "$shhooks/pre-push"; chmod +x "$shhooks/pre-push"

# One commit per ref: release/c<N>-<i>, all children of main, made in one fast-import.
python3 - "$main" $sizes <<'PY' | git fast-import --quiet
import sys
main, sizes = sys.argv[1], [int(s) for s in sys.argv[2:]]
out = sys.stdout
for n in sizes:
    for i in range(1, n + 1):
        msg = f"release c{n}-{i}\n".encode()
        content = f"{n}-{i}\n".encode()
        out.write(f"commit refs/heads/release/c{n}-{i}\ncommitter bench <bench@example.com> 1700000000 +0000\ndata {len(msg)}\n")
        out.flush(); sys.stdout.buffer.write(msg)
        out.write(f"from {main}\nM 644 inline f\ndata {len(content)}\n")
        out.flush(); sys.stdout.buffer.write(content)
        out.write("\n")
PY

# Green in stg, as a pipeline would leave it (written straight to moto, so it is not counted).
green() {
  python3 - "$moto" "$@" <<'PY'
import boto3, sys
ssm = boto3.client("ssm", endpoint_url=sys.argv[1], region_name="eu-west-1")
for sha in sys.argv[2:]:
    ssm.put_parameter(Name=f"/promote/bench/stg/green/{sha}", Type="String", Overwrite=True,
                      Value='{"recordedAt":"2025-01-01T00:00:00Z","recordedBy":"bench"}')
PY
}
shas() { git for-each-ref --format='%(objectname)' "refs/heads/release/c$1-*"; }
counts() { curl -s "$proxy/__counts"; }
reset_counts() { curl -s -X POST "$proxy/__reset" >/dev/null; }
op() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["byOperation"].get(sys.argv[1],0) if sys.argv[1]!="total" else d["total"])' "$1"; }
unpush() { git --git-dir "$work/prd.git" for-each-ref --format='delete %(refname)' refs/heads/ | git --git-dir "$work/prd.git" update-ref --stdin; }
now_ns() { date +%s%N; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.0f", (b-a)/1e6}'; }

# push_count TOOL N -> "requests getparameters getparameter ms"
push_count() {
  local tool=$1 n=$2 t0 t1 c
  unpush; rm -f .git/promote/green-cache; reset_counts
  t0=$(now_ns)
  if [ "$tool" = promote ]; then
    AWS_ENDPOINT_URL="$proxy" git push -q prd "refs/heads/release/c$n-*:refs/heads/release/c$n-*" 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  elif [ "$tool" = plain ]; then
    git -c core.hooksPath=/dev/null push -q prd "refs/heads/release/c$n-*:refs/heads/release/c$n-*"
  elif [ "$skip_sh" = 1 ]; then
    echo "- - - -"; return
  else
    AWS_ENDPOINT_URL="$proxy" git -c core.hooksPath="$shhooks" push -q prd "refs/heads/release/c$n-*:refs/heads/release/c$n-*" 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  fi
  t1=$(now_ns)
  c=$(counts)
  echo "$(echo "$c" | op total) $(echo "$c" | op GetParameters) $(echo "$c" | op GetParameter) $(ms "$t0" "$t1")"
}

green "$main" $(shas 1)
hist_small=$(push_count promote 1)
for n in $sizes; do [ "$n" = 1 ] || green $(shas "$n"); done
history=$(( $(echo $sizes | tr ' ' '+') + 1 ))

declare -A gp sh plain
for n in $sizes; do
  plain[$n]=$(push_count plain "$n")
  gp[$n]=$(push_count promote "$n")
  sh[$n]=$(push_count sh "$n")
done

echo "## AWS requests per push (counted at the emulator)"
echo
echo "Every ref is its own commit, green in stg by SSM; cache cleared before each push. git-promote asks stg in"
echo "GetParameters batches of 10 (prd is asked only about commits not green in stg, for rollbacks: none here);"
echo "the sh hook runs \`aws ssm get-parameter\` once per ref."
echo
echo "| refs pushed | plain push, no hook | git-promote: AWS requests | of which GetParameters | push wall time | sh + aws CLI: AWS requests | push wall time |"
echo "|---|---|---|---|---|---|---|"
for n in $sizes; do
  set -- ${plain[$n]}; p_ms=$4
  set -- ${gp[$n]}; g_total=$1 g_gp=$2 g_ms=$4
  set -- ${sh[$n]}; s_total=$1 s_ms=$4
  echo "| $n | ${p_ms} ms | $g_total | $g_gp | ${g_ms} ms | $s_total | ${s_ms} ms |"
done
echo
set -- $hist_small; small=$1
set -- ${gp[1]:-$hist_small}; large=$1
echo "history: a 1-ref push made $small requests with 2 green commits in stg and $large with $history green commits in stg."
echo

# Latency of one guarded ref (main -> prd), straight to moto (no counting proxy in the path).
sample() {
  local mode=$1 out=() t0 t1
  for _ in $(seq "$runs"); do
    git --git-dir "$work/prd.git" update-ref -d refs/heads/main 2>/dev/null || true
    [ "$mode" = fresh ] && rm -f .git/promote/green-cache
    case "$mode" in
      plain) t0=$(now_ns); git -c core.hooksPath=/dev/null push -q prd main; t1=$(now_ns) ;;
      fresh|cached) t0=$(now_ns); AWS_ENDPOINT_URL="$moto" git push -q prd main 2>/dev/null; t1=$(now_ns) ;;
      sh) t0=$(now_ns); AWS_ENDPOINT_URL="$moto" git -c core.hooksPath="$shhooks" push -q prd main 2>/dev/null; t1=$(now_ns) ;;
    esac
    out+=($(( (t1 - t0) / 1000 )))
  done
  printf '%s\n' "${out[@]}" | sort -n
}
stats() { awk '{a[NR]=$1} END {m=a[int((NR+1)/2)]; lo=a[int(NR*0.1)+1]; hi=a[int(NR*0.9)]; printf "%.1f %.1f %.1f", m/1000, lo/1000, hi/1000}'; }
fmt() { set -- $1; echo "$1 ($2-$3)"; }
med() { echo "$1" | cut -d' ' -f1; }
added() { awk -v a="$(med "$1")" -v b="$(med "$plain")" 'BEGIN{printf "%.1f", a-b}'; }

unpush
AWS_ENDPOINT_URL="$moto" git push -q prd main 2>/dev/null   # warm the cache once for the cached case
plain=$(sample plain | stats)
fresh=$(sample fresh | stats)
cached=$(sample cached | stats)
shlat=$(sample sh | stats)

echo "## Latency of a guarded 1-ref push to prd (SSM evidence, local moto)"
echo
echo "runs per case: $runs; ms as median (p10-p90)"
echo
echo "| case | push wall time | added over a plain push (median) |"
echo "|---|---|---|"
echo "| plain push, no hook | $(fmt "$plain") | - |"
echo "| git-promote, cache cleared each run (1 GetParameters) | $(fmt "$fresh") | $(added "$fresh") |"
echo "| git-promote, green from the positive cache (1 GetParameters: revocations) | $(fmt "$cached") | $(added "$cached") |"
echo "| sh hook + \`aws ssm get-parameter\` (1 GetParameter) | $(fmt "$shlat") | $(added "$shlat") |"
