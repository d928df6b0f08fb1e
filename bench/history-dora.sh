#!/usr/bin/env bash
# git promote history at scale (issue "see the path"): N deployment events (default 10,000) in each of dev and stg
# (git refs on their remotes) and prd (SSM parameters on moto), over a line of C commits (default 2,000, one an hour).
# For `history --json` with the default 90-day window and with a window holding every event: the wall time (median of
# RUNS), and how much of it the listings took (git processes and AWS calls, as PROMOTE_TRACE times them). The
# difference is what history itself adds: reading, the lead-time walk, the figures, the output.
# Usage: bench/history-dora.sh [RUNS]   (default 5; N=10000 C=2000; GIT_PROMOTE_PREFIX=<prefix of install.sh>).
# Needs python3 with moto and boto3.
set -euo pipefail
runs=${1:-5}
n=${N:-10000}
commits=${C:-2000}
. "$(dirname -- "$0")/lib.sh"
bench_workspace history-dora
bench_isolated_git

bench_app "$work" dev stg prd
bench_policy dev stg prd:ssm
echo "timeout: 300s" >> .promote.yml   # listing 10,000 SSM parameters is 1,000 calls: far more than a push's 10 s

# C commits spread evenly over 401 days, ending now: one fast-import.
step=$(( 401 * 86400 / commits ))
python3 - "$commits" "$step" <<'PY' | git fast-import --quiet
import sys, time
n, step = int(sys.argv[1]), int(sys.argv[2]); now = int(time.time()); start = now - (n - 1) * step
for i in range(n):
    t = start + i * step
    print("commit refs/heads/main"); print(f"mark :{i+1}")
    print(f"author bench <bench@example.com> {t} +0000"); print(f"committer bench <bench@example.com> {t} +0000")
    msg = f"change {i}"; print(f"data {len(msg)}"); print(msg)
    if i: print(f"from :{i}")
    print(f"M 644 inline f.txt"); print("data 8"); print(f"{i:07d}")
    print()
PY
git reset -q --hard main
git rev-list main > "$work/commits"

# events ENV-OUT: N names <stamp>-<commit>-<rand> spread over the last 400 days, each at a commit older than itself.
python3 - "$n" "$work/commits" "$step" > "$work/events" <<'PY'
import sys, time, random, os, subprocess
n, step = int(sys.argv[1]), int(sys.argv[3]); shas = open(sys.argv[2]).read().split()[::-1]   # oldest first
now = int(time.time()); span = 400 * 86400
for k in range(n):
    t = now - span + k * span // n
    # the newest commit committed before t (one every `step` seconds, the last one now)
    idx = max(0, min(len(shas) - 1, len(shas) - 1 - -(-(now - t) // step)))
    print(time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t)) + "-" + shas[idx] + "-" + os.urandom(4).hex(), shas[idx])
PY

# The git stores: the events as refs straight into packed-refs (sorted, as git writes it), each at its commit.
for env in dev stg; do
  git push -q "$env" main
  git --git-dir "$work/$env.git" pack-refs --all
  { cat "$work/$env.git/packed-refs"; awk '{ print $2 " refs/promote/deploy/" $1 }' "$work/events"; } \
    | grep -v '^#' | sort -k2 > "$work/packed"
  { echo "# pack-refs with: peeled fully-peeled sorted "; cat "$work/packed"; } > "$work/$env.git/packed-refs"
done

# The SSM store of prd: N parameters under /promote/bench/prd/deploy/, JSON bodies as record writes them.
start_moto
start_counting_proxy
fake_aws_credentials
export AWS_ENDPOINT_URL_SSM="$proxy" AWS_ENDPOINT_URL_STS="$proxy"
python3 - "$moto" "$work/events" <<'PY'
import sys, json, boto3
ssm = boto3.client("ssm", endpoint_url=sys.argv[1], region_name="eu-west-1")
for line in open(sys.argv[2]):
    name, sha = line.split()
    stamp = name[:16]; at = f"{stamp[0:4]}-{stamp[4:6]}-{stamp[6:8]}T{stamp[9:11]}:{stamp[11:13]}:{stamp[13:15]}Z"
    body = {"environment": "prd", "commit": sha, "at": at, "by": "arn:aws:sts::123456789012:assumed-role/record/ci", "kind": "forward"}
    ssm.put_parameter(Name="/promote/bench/prd/deploy/" + name, Value=json.dumps(body), Type="String")
PY

now_ms() { date +%s%3N; }
# one_run ARGS...: "<wall ms> <git ms> <aws ms> <git processes> <aws calls>" for one `history ARGS --json`.
one_run() {
  local t0 t1
  t0=$(now_ms); PROMOTE_TRACE=1 "$bin" history "$@" --json > "$work/out.json" 2> "$work/trace"; t1=$(now_ms)
  awk -v wall=$((t1 - t0)) '
    /trace: git / { match($0, /: [0-9]+ ms/); g += substr($0, RSTART + 2, RLENGTH - 5); gn++ }
    /trace: aws / { match($0, /: [0-9]+ ms/); a += substr($0, RSTART + 2, RLENGTH - 5); an++ }
    END { printf "%d %d %d %d %d\n", wall, g, a, gn, an }' "$work/trace"
}
# Git and SSM lanes are read at the same time: the listing time is the longer of the two.
measure() {
  local label=$1; shift
  for _ in $(seq "$runs"); do one_run "$@"; done | sort -n > "$work/runs"
  local mid; mid=$(( (runs + 1) / 2 ))
  read -r wall git aws gn an < <(sed -n "${mid}p" "$work/runs")
  local listing=$(( git > aws ? git : aws ))
  local deployments; deployments=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(sum(len(e['deployments']) for e in d['environments']), d['figures']['leadTime']['commits'])" "$work/out.json")
  python3 -c "import json,sys; [print('note:', n, file=sys.stderr) for n in json.load(open(sys.argv[1]))['notes']]" "$work/out.json"
  echo "| $label | ${deployments% *} | ${deployments#* } | $wall | $git ($gn git processes) | $aws ($an AWS calls) | $(( wall - listing )) |"
}

echo "$n deployment events in each of dev, stg (git) and prd (SSM, moto); $commits commits; median of $runs runs, ms"
echo
echo "| window | deployments shown | commits with a lead time | history --json | git listing | SSM listing | history beyond the longer listing |"
echo "|---|---|---|---|---|---|---|"
measure "90 days (default)"
measure "400 days (all)" --since 400d
