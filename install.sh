#!/bin/sh
# Installs git-promote: PREFIX/bin/git-promote (+ the native libgit2 beside it), PREFIX/share/git-promote/hooks/
# Usage: ./install.sh [--prefix DIR]          (default prefix: ~/.local)
#        ./install.sh --uninstall [--prefix DIR]
# From a source checkout it builds the program first (Native AOT, needs the .NET 10 SDK); from an unpacked release
# it installs the program beside it. It only installs; wiring a clone is `git promote install`. Re-running upgrades
# in place, atomically.
set -eu

prefix="${HOME}/.local"
uninstall=0
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || { echo "install.sh: --prefix needs a directory" >&2; exit 2; }; prefix=$2; shift 2 ;;
    --prefix=*) prefix=${1#--prefix=}; shift ;;
    --uninstall) uninstall=1; shift ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case "$prefix" in /*) ;; *) prefix="$(pwd)/$prefix" ;; esac

bindir="$prefix/bin"
hookdir="$prefix/share/git-promote/hooks"
mandir="$prefix/share/man/man1"
src=$(cd -- "$(dirname -- "$0")" && pwd)

if [ "$uninstall" = 1 ]; then
  rm -f "$bindir/git-promote" "$bindir"/libgit2-*.so "$bindir"/libgit2-*.dylib
  rm -rf "$prefix/share/git-promote"
  rm -f "$mandir/git-promote.1"
  echo "git-promote removed from $prefix"
  echo "  clones wired with 'git promote install' still point at $hookdir: run 'git promote uninstall' in them first, or 'git config --unset core.hooksPath'"
  exit 0
fi

started=$(date +%s)
# An unpacked release (release.sh) holds the built program beside this script; a source checkout builds it.
built=
hooks="$src/hooks"
manpage="$src/docs/git-promote.1"
if [ -f "$src/bin/git-promote" ] && [ -f "$src/share/git-promote/hooks/pre-push" ]; then
  built="$src/bin"
  hooks="$src/share/git-promote/hooks"
  manpage="$src/share/man/man1/git-promote.1"
  # Before touching the prefix: a package for another system or processor does not run here.
  if ! version=$("$built/git-promote" --version 2>/dev/null); then
    echo "install.sh: $built/git-promote does not run on this machine ($(uname -s) $(uname -m)): take the package built for it" >&2
    exit 1
  fi
  echo "installing $version from $src"
else
  command -v dotnet >/dev/null 2>&1 || { echo "install.sh: the .NET 10 SDK (dotnet) is needed to build git-promote (or install a release package: README.md, Install)" >&2; exit 1; }
fi

os=$(uname -s); arch=$(uname -m)
case "$os" in
  Linux)  rid_os=linux; if ldd --version 2>&1 | grep -qi musl; then rid_os=linux-musl; fi ;;
  Darwin) rid_os=osx ;;
  *) echo "install.sh: unsupported system '$os' (on Windows use install.ps1)" >&2; exit 1 ;;
esac
case "$arch" in
  x86_64|amd64) rid_arch=x64 ;;
  arm64|aarch64) rid_arch=arm64 ;;
  *) echo "install.sh: unsupported processor '$arch'" >&2; exit 1 ;;
esac
rid="$rid_os-$rid_arch"

if [ -z "$built" ]; then
  stage=$(mktemp -d "${TMPDIR:-/tmp}/git-promote-build.XXXXXX")
  trap 'rm -rf "$stage"' EXIT INT TERM
  echo "building git-promote for $rid (Native AOT, about a minute)..."
  # The publish step's own lines show it is alive; the pipe cannot carry its exit status, so a file does.
  { status=0; dotnet publish "$src/src/GitPromote.Cli/GitPromote.Cli.csproj" -c Release -r "$rid" -o "$stage/out" --nologo -v minimal 2>&1 || status=$?
    echo "$status" >"$stage/status"; } | sed 's/^ */  /'
  if [ "$(cat "$stage/status")" != 0 ]; then
    echo "install.sh: the build failed (its output is above)" >&2
    exit 1
  fi
  echo "built in $(($(date +%s) - started))s"
  built="$stage/out"
fi

mkdir -p "$bindir" "$hookdir" "$mandir"
# An upgrade killed mid-copy leaves its NAME.tmp.PID behind for good (the binary is ~15 MB): remove the ones whose
# installer is gone. A running installer's (kill -0 answers, or /proc has it) is left alone.
for stale in "$bindir"/*.tmp.* "$hookdir"/*.tmp.*; do
  [ -f "$stale" ] || continue
  pid=${stale##*.tmp.}
  case "$pid" in ''|*[!0-9]*) continue ;; esac
  if kill -0 "$pid" 2>/dev/null || [ -d "/proc/$pid" ]; then continue; fi
  rm -f "$stale"
done
# Each file is copied beside its target and renamed over it: a push that starts mid-upgrade sees the old file or the new one.
put() { cp "$1" "$2.tmp.$$" && chmod "$3" "$2.tmp.$$" && mv -f "$2.tmp.$$" "$2"; }
# Hooks are written with LF and without a BOM whatever the checkout did: sh reads a CR as part of each line.
bom=$(printf '\357\273\277')
put_script() { LC_ALL=C sed "1s/^$bom//" "$1" | tr -d '\r' >"$2.tmp.$$" && chmod 755 "$2.tmp.$$" && mv -f "$2.tmp.$$" "$2"; }
for lib in "$built"/libgit2-*; do
  [ -e "$lib" ] && put "$lib" "$bindir/$(basename "$lib")" 755
done
put "$built/git-promote" "$bindir/git-promote" 755
# hooks/pass-through (a source checkout) is written under every hook name it lists; a release has them laid out already.
for hook in "$hooks"/*; do
  name=$(basename "$hook")
  if [ "$name" = pass-through ]; then
    for each in $(sed -n 's/^# hooks: //p' "$hook" | tr -d '\r'); do put_script "$hook" "$hookdir/$each"; done
  else
    put_script "$hook" "$hookdir/$name"
  fi
done
# git promote --help is git help promote, which opens man git-promote: man finds PREFIX/share/man through PATH.
[ -f "$manpage" ] && put "$manpage" "$mandir/git-promote.1" 644

echo "installed $("$bindir/git-promote" --version) in $prefix ($(($(date +%s) - started))s in all)"
echo "  binary: $bindir/git-promote"
echo "  hooks:  $hookdir"
echo "  manual: $mandir/git-promote.1 (git promote --help)"
case ":$PATH:" in
  *":$bindir:"*) ;;
  *) echo "  note: $bindir is not on your PATH; add it so 'git promote' works:"
     echo "        export PATH=\"$bindir:\$PATH\"   (in your shell profile)" ;;
esac
echo "next: in a clone, 'git promote install' wires it; 'git promote demo' shows the whole flow"
