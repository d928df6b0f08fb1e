"""Times two builds of one command in turn (B A B A ...) and prints a markdown row of medians and per-pair ratios.

Usage: paired_runs.py NAME BEFORE_BIN AFTER_BIN STDIN_FILE PAIRS CLEAR_FILE ARG...
  CLEAR_FILE: a file removed before each run (a cache), or '' for none.
Each run is timed from outside (wall: perf_counter around spawn and reap; cpu and peak RSS: the kernel's rusage of that
child, via wait4), in microseconds rather than time(1)'s 10 ms. A run that fails ends the bench.
"""
import os, statistics, subprocess, sys, time

name, before, after, stdin_path, pairs, clear, *args = sys.argv[1:]


def run(binary):
    if clear:
        try:
            os.remove(clear)
        except FileNotFoundError:
            pass
    with open(stdin_path, "rb") as stdin:
        t0 = time.perf_counter()
        p = subprocess.Popen([binary, *args], stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        wall = (time.perf_counter() - t0) * 1000
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{binary} {' '.join(args)} failed ({name})")
    return wall, (ru.ru_utime + ru.ru_stime) * 1000, ru.ru_maxrss / 1024


run(before); run(after)  # warm-up
b, a = [], []
for _ in range(int(pairs)):
    b.append(run(before)); a.append(run(after))
med = lambda xs, i: statistics.median(x[i] for x in xs)
ratio = lambda i: statistics.median(y[i] / x[i] for x, y in zip(b, a) if x[i] > 0)
print(f"| {name} | {pairs} | {med(a,0):.2f} / {med(b,0):.2f} ms | {med(a,1):.2f} / {med(b,1):.2f} ms | "
      f"{ratio(0):.3f} | {ratio(1):.3f} | {med(a,2):.1f} / {med(b,2):.1f} MiB |")
