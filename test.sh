#!/bin/sh
# Runs every test: builds the release packages once (release.sh) and installs the tarball into a throw-away
# prefix (the integration tests push through those installed hooks), then runs the xunit suites. Services the
# tests need (the moto SSM emulator, the CodePipeline fake) are started by the tests themselves on free loopback
# ports.
set -eu
root=$(cd -- "$(dirname -- "$0")" && pwd)
started=$(date +%s)
prefix=$(mktemp -d "${TMPDIR:-/tmp}/git-promote-test.XXXXXX")
results="$prefix/results"
# Every process the tests start carries this mark in its environment; whatever is still running at the end (a moto
# server a crashed test host left behind, a stopped git daemon) is found by it and ended, so a run leaves nothing behind.
export GITPROMOTE_TEST_RUN="$$-$started"
leftovers() {
  for environ in /proc/[0-9]*/environ; do
    pid=${environ#/proc/}; pid=${pid%/environ}
    [ "$pid" = "$$" ] && continue
    if { tr '\0' '\n' <"$environ"; } 2>/dev/null | grep -qx "GITPROMOTE_TEST_RUN=$GITPROMOTE_TEST_RUN"; then
      kill -CONT "$pid" 2>/dev/null || :; kill -KILL "$pid" 2>/dev/null || :
    fi
  done
}
trap 'leftovers; rm -rf "$prefix"' EXIT
trap 'exit 130' INT TERM

# What this run installs when missing, said before it starts: nothing is installed silently.
export PATH="$PATH:$HOME/.dotnet/tools"
node_tools="$HOME/.cache/git-promote-test/node"
lock="$root/tests/GitPromote.Cdk.Tests/node-tools/package-lock.json"
missing=
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v faketime >/dev/null 2>&1 || missing="$missing faketime=0.9.10-2.1"
# The pre-commit framework, as Debian packages it, for the .pre-commit-hooks.yaml test (PyPI is out of reach).
[ -x /usr/bin/pre-commit ] || missing="$missing pre-commit=3.0.4-1"
plan=
command -v pwsh >/dev/null 2>&1 || plan="$plan\n  PowerShell 7.6.9 as a dotnet tool in ~/.dotnet/tools (install.ps1 is tested under it)"
cmp -s "$lock" "$node_tools/installed.lock" || plan="$plan\n  the CDK tests' node tools (IAM simulator, cdk-nag), pinned by package-lock.json, with npm ci into $node_tools"
cmp -s "$root/tests/GitPromote.IntegrationTests/hook-managers/package-lock.json" "$HOME/.cache/git-promote-test/hook-managers/installed.lock" \
  || plan="$plan\n  husky and lefthook, pinned by package-lock.json, with npm ci into ~/.cache/git-promote-test/hook-managers"
[ -n "$missing" ] && plan="$plan\n  Debian packages:$missing (apt-get, as root: the history page's browser, the clock the history and health tests set, the pre-commit framework)"
[ -n "$plan" ] && printf 'test.sh will install:%b\n' "$plan"

# install.ps1 is tested under PowerShell 7 (those tests fail without it): install it as a dotnet tool when missing.
if ! command -v pwsh >/dev/null 2>&1; then
  dotnet tool install --global PowerShell --version 7.6.9 >/dev/null
fi

# The Cdk tests evaluate the templates with node tools (the IAM simulator @cloud-copilot/iam-simulate, and cdk-nag):
# installed with npm ci, pinned by tests/GitPromote.Cdk.Tests/node-tools/package-lock.json, into a cache the tests find.
if ! cmp -s "$lock" "$node_tools/installed.lock"; then
  mkdir -p "$node_tools"
  cp "$root/tests/GitPromote.Cdk.Tests/node-tools/package.json" "$lock" "$node_tools/"
  (cd "$node_tools" && npm ci --no-audit --no-fund >/dev/null)
  cp "$lock" "$node_tools/installed.lock"
fi
export GIT_PROMOTE_NODE_TOOLS="$node_tools/node_modules"
# The hook managers the rollout tests run for real (husky, lefthook), pinned the same way; --ignore-scripts: lefthook's
# postinstall would wire the cache folder itself.
hook_managers="$HOME/.cache/git-promote-test/hook-managers"
lock="$root/tests/GitPromote.IntegrationTests/hook-managers/package-lock.json"
if ! cmp -s "$lock" "$hook_managers/installed.lock"; then
  mkdir -p "$hook_managers"
  cp "$root/tests/GitPromote.IntegrationTests/hook-managers/package.json" "$lock" "$hook_managers/"
  (cd "$hook_managers" && npm ci --ignore-scripts --no-audit --no-fund >/dev/null)
  cp "$lock" "$hook_managers/installed.lock"
fi
export GIT_PROMOTE_HOOK_MANAGERS="$hook_managers/node_modules"

# The health tests (faketime), the history page (Debian's headless chromium; a history recorded at fixed times with
# faketime around the published binary) and the pre-commit framework's hook fail without these: install them when
# missing. faketime and pre-commit are pinned; chromium is Debian's current security build (the archive keeps no old
# ones), the one a user of this Debian opens.
# Without root (and no sudo that asks nothing), the tests that need them are left out, said so, and counted as skipped.
skip_filter=
if [ -n "$missing" ]; then
  sudo=; [ "$(id -u)" = 0 ] || sudo="sudo -n"
  if [ -n "$sudo" ] && ! sudo -n true 2>/dev/null; then
    echo "test.sh: NOT installing$missing: that needs root, and this user has no sudo without a password. The tests that need them are skipped:" >&2
    for tool in chromium faketime pre-commit; do
      case "$missing" in *"$tool"*) skip_filter="${skip_filter:+$skip_filter&}Needs!=$tool"
        echo "  every test marked [Trait(\"Needs\", \"$tool\")]; to run them: sudo apt-get install $tool" >&2 ;; esac
    done
  else
    # apt-get update only when the package lists do not know them yet.
    # shellcheck disable=SC2086
    if ! $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1; then
      $sudo apt-get update -qq >/dev/null
      $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
    fi
  fi
fi

# One Native AOT build per run: release.sh packs the release (tarball, .deb, dotnet tool) for this machine, the
# integration tests push through the tarball installed by its own install.sh, and ReleasePackageTests install each
# package for real.
phase=$(date +%s)
if ! "$root/release.sh" --out "$prefix/release" >"$prefix/release.log"; then
  cat "$prefix/release.log" >&2
  exit 1
fi
tar -xzf "$prefix"/release/git-promote-*.tar.gz -C "$prefix"
"$prefix"/git-promote-*/install.sh --prefix "$prefix/install" >/dev/null
export GIT_PROMOTE_TEST_PREFIX="$prefix/install" GIT_PROMOTE_TEST_RELEASE="$prefix/release"
built=$(($(date +%s) - phase)); phase=$(date +%s)

status=0
if [ -n "$skip_filter" ]; then
  dotnet test "$root/Hooks.sln" -c Release --nologo --logger "trx" --results-directory "$results" --filter "$skip_filter" "$@" || status=$?
else
  dotnet test "$root/Hooks.sln" -c Release --nologo --logger "trx" --results-directory "$results" "$@" || status=$?
fi

tested=$(($(date +%s) - phase)); phase=$(date +%s)

# The house style (.editorconfig): a change dotnet format would make, or a line over 160 characters, fails the run.
if ! dotnet format "$root/Hooks.sln" --verify-no-changes --no-restore -v q; then
  echo "style: dotnet format would change the files above; run: dotnet format Hooks.sln" >&2
  status=1
fi
long=$(find "$root/src" "$root/tests" "$root/examples" -name '*.cs' -not -path '*/obj/*' -not -path '*/bin/*' -print0 \
  | xargs -0 awk 'length > 160 { print FILENAME ":" FNR ": " length " characters" }')
if [ -n "$long" ]; then
  echo "$long" >&2
  echo "style: the lines above are over 160 characters (.editorconfig's max_line_length)" >&2
  status=1
fi

styled=$(($(date +%s) - phase))
echo "time: set-up $((phase - started - built - tested)) s, release build $built s, xunit suites (build and run) $tested s, style $styled s"

# One plain closing line over all suites, for humans and CI.
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  c=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(echo "$c" | sed -n 's/.* passed="\([0-9]*\)".*/\1/p'); f=$(echo "$c" | sed -n 's/.* failed="\([0-9]*\)".*/\1/p')
  t=$(echo "$c" | sed -n 's/.* total="\([0-9]*\)".*/\1/p'); e=$(echo "$c" | sed -n 's/.* executed="\([0-9]*\)".*/\1/p')
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${t:-0} - ${e:-0}))
done
took=$(($(date +%s) - started))
echo "tests: $passed passed, $failed failed, $skipped skipped ($((took / 60))m $((took % 60))s)"
[ "$passed" -gt 0 ] || { echo "no test ran" >&2; exit 1; }
exit $status
