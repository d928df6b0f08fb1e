#!/usr/bin/env bash
# What the command layer costs at start-up, two builds paired: BEFORE and AFTER run in turn (B A B A ...) with the same
# arguments and input in the same clone, so a machine whose speed drifts moves both alike; the figure is the median of
# the per-pair ratios. The command definitions are built and the arguments parsed on every run, so these are where a
# slower parser would show:
#   (a) git-promote hook pre-push dev <url>: a push to dev, no gate (the unguarded hook path)
#   (b) git-promote --version
#   (c) git-promote check --help (the help written from the definition, against the old one-line usage)
# Usage: bench/cli-before-after.sh BEFORE_PREFIX AFTER_PREFIX [PAIRS]   (prefixes made by install.sh --prefix; default 40)
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 BEFORE_PREFIX AFTER_PREFIX [PAIRS]" >&2; exit 2; }
before="$1/bin/git-promote"; after="$2/bin/git-promote"; pairs=${3:-40}
GIT_PROMOTE_PREFIX=$2
. "$(dirname -- "$0")/lib.sh"
bench_workspace cli-before-after
bench_isolated_git

bench_app "$work" dev stg
bench_policy dev stg
echo 1 > f; git add -A; git commit -qm one
sha=$(git rev-parse HEAD)
zero=0000000000000000000000000000000000000000
printf 'refs/heads/main %s refs/heads/main %s\n' "$sha" "$zero" > "$work/input"
: > "$work/empty"

# Each run is timed from outside (wall: perf_counter around spawn and reap; cpu and peak RSS: the kernel's rusage of
# that child, via wait4), in microseconds.
case_() {
  local name=$1 stdin=$2; shift 2
  python3 - "$name" "$before" "$after" "$stdin" "$pairs" "$@" <<'PY'
import os, statistics, subprocess, sys, time
name, before, after, stdin_path, pairs, *args = sys.argv[1:]
def run(binary):
    with open(stdin_path, "rb") as stdin:
        t0 = time.perf_counter()
        p = subprocess.Popen([binary, *args], stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        wall = (time.perf_counter() - t0) * 1000
    if os.waitstatus_to_exitcode(status) != 0: sys.exit(f"{binary} {' '.join(args)} failed ({name})")
    return wall, (ru.ru_utime + ru.ru_stime) * 1000, ru.ru_maxrss / 1024
run(before); run(after)  # warm-up
b, a = [], []
for _ in range(int(pairs)):
    b.append(run(before)); a.append(run(after))
med = lambda xs, i: statistics.median(x[i] for x in xs)
ratio = lambda i: statistics.median(y[i] / x[i] for x, y in zip(b, a) if x[i] > 0)
print(f"| {name} | {pairs} | {med(a,0):.2f} / {med(b,0):.2f} ms | {med(a,1):.2f} / {med(b,1):.2f} ms | "
      f"{ratio(0):.3f} | {ratio(1):.3f} | {med(a,2):.1f} / {med(b,2):.1f} MiB |")
PY
}

echo "before: $("$before" --version)   after: $("$after" --version)   load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| case | pairs | wall, median (after / before) | cpu, median (after / before) | wall after/before | cpu after/before | peak RSS (after / before) |"
echo "|---|---|---|---|---|---|---|"
case_ "(a) hook pre-push, push to dev, no gate" "$work/input" hook pre-push dev "$work/dev.git"
case_ "(b) --version" "$work/empty" --version
case_ "(c) check --help" "$work/empty" check --help
