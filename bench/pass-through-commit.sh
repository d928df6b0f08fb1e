#!/usr/bin/env bash
# What the pass-through hooks cost a commit (issue 29), paired: BEFORE and AFTER run in turn (B A B A ...), each a
# `git commit --allow-empty` in a clone of its own, so a machine whose speed drifts moves both alike; the figure is
# the median of the per-pair ratios (bench/paired_runs.py). Each side is a two-line sh wrapper (cd, exec git), the same
# for both.
#   (a) an unguarded commit, nothing to chain: BEFORE's hooks folder (no commit hooks) against AFTER's (a pass-through
#       under every hook name, each finding nothing to run)
#   (a2) the same commit, BEFORE's side holding a one-line `exit 0` hook under every name AFTER has a pass-through:
#       what git's own start of those hooks costs, so the ratio is what the pass-through adds to each start
#   (b) a clone with its own one-line .git/hooks/pre-commit: git running it itself (no core.hooksPath, the clone before
#       git-promote) against AFTER's pass-through running it
#   (c) install --chain to a folder with a one-line pre-commit: git running that folder itself (core.hooksPath = theirs)
#       against AFTER's pass-through, which asks git config for promote.chainHooksPath
# and, unpaired, why reference-transaction gets no pass-through:
#   (d) a fetch of 1,000 new tags with no reference-transaction hook, and with a one-line one
# Usage: bench/pass-through-commit.sh BEFORE_PREFIX AFTER_PREFIX [PAIRS]   (prefixes made by install.sh --prefix; default 40)
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 BEFORE_PREFIX AFTER_PREFIX [PAIRS]" >&2; exit 2; }
before_hooks="$1/share/git-promote/hooks"; after_hooks="$2/share/git-promote/hooks"; pairs=${3:-40}
GIT_PROMOTE_PREFIX=$2
. "$(dirname -- "$0")/lib.sh"
bench_workspace pass-through-commit
bench_isolated_git

clone() { # name [core.hooksPath]
  git init -q "$work/$1"
  git -C "$work/$1" commit -q --allow-empty -m first
  [ -z "${2:-}" ] || git -C "$work/$1" config core.hooksPath "$2"
  printf '#!/bin/sh\ncd "%s" && exec git commit -q --allow-empty -m bench\n' "$work/$1" > "$work/commit-$1"
  chmod 755 "$work/commit-$1"
}
one_line_hook() { mkdir -p "$(dirname "$1")"; printf '#!/bin/sh\nexit 0\n' > "$1"; chmod 755 "$1"; }
case_() { python3 "$root/bench/paired_runs.py" "$1" "$work/commit-$2" "$work/commit-$3" /dev/null "$pairs" ""; }

clone a-before "$before_hooks"; clone a-after "$after_hooks"
for f in "$after_hooks"/*; do
  case $(sed -n 2p "$f") in *pass-through\ hook*) one_line_hook "$work/trivial/$(basename "$f")" ;; esac
done
clone a2-before "$work/trivial"
clone b-before; clone b-after "$after_hooks"
one_line_hook "$work/b-before/.git/hooks/pre-commit"; one_line_hook "$work/b-after/.git/hooks/pre-commit"
one_line_hook "$work/theirs/pre-commit"
clone c-before "$work/theirs"; clone c-after "$after_hooks"
git -C "$work/c-after" config promote.chainHooksPath "$work/theirs"

echo "before: $1   after: $2   git $(git --version | cut -d' ' -f3)   load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| case | pairs | wall, median (after / before) | cpu, median (after / before) | wall after/before | cpu after/before | peak RSS (after / before) |"
echo "|---|---|---|---|---|---|---|"
case_ "(a) unguarded commit, nothing to run" a-before a-after
case_ "(a2) as (a), against git starting a one-line hook of each name" a2-before a-after
case_ "(b) the clone's own pre-commit: git itself / through the pass-through" b-before b-after
case_ "(c) a chained folder's pre-commit: git itself / through the pass-through" c-before c-after

git init -q "$work/tags"
git -C "$work/tags" commit -q --allow-empty -m tagged
for i in $(seq 1000); do echo "create refs/tags/t$i HEAD"; done | git -C "$work/tags" update-ref --stdin
one_line_hook "$work/ref-hook/reference-transaction"
fetch() { # hooks-path
  rm -rf "$work/fetched"; git init -q "$work/fetched"
  [ -z "$1" ] || git -C "$work/fetched" config core.hooksPath "$1"
  local t0; t0=$(date +%s%N)
  git -C "$work/fetched" fetch -q "$work/tags" 'refs/tags/*:refs/tags/*'
  echo $(( ($(date +%s%N) - t0) / 1000000 ))
}
for _ in 1 2 3; do
  echo "(d) fetch of 1,000 tags: $(fetch '') ms with no reference-transaction hook, $(fetch "$work/ref-hook") ms with a one-line one"
done
