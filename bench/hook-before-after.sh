#!/usr/bin/env bash
# The pre-push hook process alone, two builds paired: BEFORE and AFTER run in turn (B A B A ...) on the same input in
# the same clone, so a machine whose speed drifts moves both alike; the figure is the median of the per-pair ratios.
#   (a) a push to dev: no gate (the unguarded path: no git process, no libgit2)
#   (b) a push to stg answered by git evidence, positive cache cleared before each run (one `git fetch`)
#   (c) the same push answered from the positive cache
#   (d) as (b), with an [include] in the clone's config: git's files are then read by one `git config` process, which
#       the guarded path used to start twice (the route check's remote list, then the repository) and now starts once
# Usage: bench/hook-before-after.sh BEFORE_PREFIX AFTER_PREFIX [PAIRS]   (prefixes made by install.sh --prefix; default 40)
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 BEFORE_PREFIX AFTER_PREFIX [PAIRS]" >&2; exit 2; }
before="$1/bin/git-promote"; after="$2/bin/git-promote"; pairs=${3:-40}
GIT_PROMOTE_PREFIX=$2
. "$(dirname -- "$0")/lib.sh"
bench_workspace before-after
bench_isolated_git

bench_app "$work" dev stg
bench_policy dev stg
echo 1 > f; git add -A; git commit -qm one
git push -q dev main
"$after" record dev main >/dev/null
sha=$(git rev-parse HEAD)
zero=0000000000000000000000000000000000000000
printf 'refs/heads/main %s refs/heads/main %s\n' "$sha" "$zero" > "$work/input"

# One python process runs the pairs: each hook run is timed from outside (wall: perf_counter around spawn and reap;
# cpu and peak RSS: the kernel's rusage of that child, via wait4), in microseconds rather than time(1)'s 10 ms.
case_() {
  python3 - "$1" "$before" "$after" "$2" "$work" "$3" "$pairs" <<'PY'
import os, statistics, subprocess, sys, time
name, before, after, remote, work, clear, pairs = sys.argv[1:8]
def run(binary):
    if clear == "1":
        try: os.remove(".git/promote/green-cache")
        except FileNotFoundError: pass
    with open(f"{work}/input", "rb") as stdin:
        t0 = time.perf_counter()
        p = subprocess.Popen([binary, "hook", "pre-push", remote, f"{work}/{remote}.git"], stdin=stdin,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        wall = (time.perf_counter() - t0) * 1000
    if os.waitstatus_to_exitcode(status) != 0: sys.exit(f"{binary} refused the push ({name})")
    return wall, (ru.ru_utime + ru.ru_stime) * 1000, ru.ru_maxrss / 1024
run(before); run(after)  # warm-up
b, a = [], []
for _ in range(int(pairs)):
    b.append(run(before)); a.append(run(after))
med = lambda xs, i: statistics.median(x[i] for x in xs)
ratio = lambda i: statistics.median(y[i] / x[i] for x, y in zip(b, a) if x[i] > 0)
print(f"| {name} | {pairs} | {med(a,0):.1f} / {med(b,0):.1f} ms | {med(a,1):.1f} / {med(b,1):.1f} ms | "
      f"{ratio(0):.3f} | {ratio(1):.3f} | {med(a,2):.1f} / {med(b,2):.1f} MiB |")
PY
}

echo "before: $("$before" --version)   after: $("$after" --version)   load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| case | pairs | wall, median (after / before) | cpu, median (after / before) | wall after/before | cpu after/before | peak RSS (after / before) |"
echo "|---|---|---|---|---|---|---|"
case_ "(a) push to dev, no gate" dev 0
case_ "(b) push to stg, git evidence, cache cleared" stg 1
case_ "(c) push to stg, from the positive cache" stg 0
printf '[promote "bench"]\n\tnote = included\n' > "$work/included.config"
git config include.path "$work/included.config"
case_ "(d) as (b), the config read by git config (an include)" stg 1
