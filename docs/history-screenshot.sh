#!/bin/sh
# Writes docs/history.png: the page of `git promote history --html` for a two-week story recorded at fixed times
# (faketime around the installed binary; commits dated with GIT_COMMITTER_DATE), shot by headless chromium.
# Usage: docs/history-screenshot.sh [PREFIX]   (PREFIX of ./install.sh, default ~/.local). Needs faketime, chromium.
set -eu
root=$(cd -- "$(dirname -- "$0")/.." && pwd)
bin=${1:-$HOME/.local}/bin/git-promote
work=$(mktemp -d "${TMPDIR:-/tmp}/history-shot.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
export GIT_CONFIG_GLOBAL="$work/gitconfig" GIT_CONFIG_NOSYSTEM=1 NO_COLOR=1 TZ=UTC FAKETIME_DONT_FAKE_MONOTONIC=1
git config --global user.name "Dana Developer"; git config --global user.email dana@example.com
for e in dev stg prd; do git init -q --bare "$work/$e.git"; done
git init -q -b main "$work/app"; cd "$work/app"
for e in dev stg prd; do git remote add "$e" "$work/$e.git"; done
cat > .promote.yml <<'YML'
version: 1
name: orders-service
environments:
  - { name: dev, remotes: [dev], evidence: [git: {}] }
  - { name: stg, remotes: [stg], evidence: [git: {}] }
  - { name: prd, remotes: [prd], evidence: [git: {}] }
rollback: previously-green
bypass: { justification: '^[A-Z]+-[0-9]+: .{10,}' }
YML
"$bin" install --hooks-dir "$(dirname "$bin")/../share/git-promote/hooks" >/dev/null
day() { date -u -d "2026-03-02 + $1 days $2" '+%Y-%m-%d %H:%M:%S'; }
commit() { echo "$2" > app.txt; git add -A; GIT_COMMITTER_DATE="$(day "$1" "$3")" GIT_AUTHOR_DATE="$(day "$1" "$3")" git commit -qm "$2"; git rev-parse HEAD; }
at() { when=$1; shift; faketime -f "@$when" "$@"; }
deploy() { # deploy ENV COMMIT DAY TIME [push flags]
  git push -q ${5:-} "$1" "$2:refs/heads/main"; at "$(day "$3" "$4")" "$bin" record "$1" "$2" >/dev/null; }
promote() { # promote COMMIT DAY: dev at 10:00, stg at 13:00, prd the next morning
  deploy dev "$1" "$2" 10:00; deploy stg "$1" "$2" 13:00; deploy prd "$1" "$(( $2 + 1 ))" 09:30; }
c=$(commit 0 "orders: first release" 08:00); promote "$c" 0
c=$(commit 1 "checkout: card payments" 09:00); promote "$c" 1
c=$(commit 3 "orders: bulk export" 11:00); deploy dev "$c" 3 12:00; deploy stg "$c" 3 15:00
c=$(commit 4 "search: faster index" 08:40); promote "$c" 4
bad=$(commit 6 "checkout: new tax rules" 09:15); promote "$bad" 6
at "$(day 7 10:10)" "$bin" revoke prd "$bad" --reason "INC-41: tax off by 1% on EU orders" >/dev/null
good=$(git rev-parse "$bad~1"); deploy prd "$good" 7 10:25 -f
c=$(commit 8 "checkout: tax rules, fixed" 09:00); promote "$c" 8
c=$(commit 10 "orders: retry on timeout" 14:00); deploy dev "$c" 10 14:30
at "$(day 10 16:00)" env PROMOTE_BYPASS="INC-44: orders stuck in pending, on-call approved" git push -q prd "$c:refs/heads/main"
at "$(day 10 16:20)" "$bin" record prd "$c" >/dev/null
deploy stg "$c" 11 09:00
c=$(commit 12 "search: typo tolerance" 10:00); promote "$c" 12
"$bin" history --since 2026-03-01 --until 2026-03-15 --html "$work/history.html"
chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync \
  --no-first-run --hide-scrollbars --user-data-dir="$work/profile" --window-size=1100,1500 \
  --screenshot="$root/docs/history.png" "file://$work/history.html" 2>/dev/null
echo "wrote $root/docs/history.png"
