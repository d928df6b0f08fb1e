#!/bin/sh
# Time to install each release package, from files on disk to a program that answers --version.
# Usage: bench/install-packages.sh RELEASE-DIR [RUNS]     (RELEASE-DIR: ./release.sh --out RELEASE-DIR; RUNS: 7)
# Each run installs into a fresh folder: the tarball by its install.sh, the .deb by dpkg-deb -x (the unpack that
# dpkg -i does, without touching this machine's package database), the dotnet tool by `dotnet tool install
# --tool-path` from the folder (a fresh NuGet cache, so nothing is reused). Prints sizes and median wall times.
set -eu
release=$(cd -- "$1" && pwd)
runs=${2:-7}
work=$(mktemp -d "${TMPDIR:-/tmp}/git-promote-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
tarball=$(ls "$release"/git-promote-*-linux-*.tar.gz | head -n 1)
deb=$(ls "$release"/git-promote_*.deb | head -n 1)
version=$(basename "$tarball" | sed 's/^git-promote-\(.*\)-linux-.*/\1/')
printf '<?xml version="1.0" encoding="utf-8"?>\n<configuration><packageSources><clear /><add key="release" value="%s" /></packageSources></configuration>\n' "$release" >"$work/nuget.config"

ms() { echo $(($(date +%s%N) / 1000000)); }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

tarball_install() { # dir
  mkdir -p "$1" && tar -xzf "$tarball" -C "$1" && "$1"/git-promote-*/install.sh --prefix "$1/prefix" >/dev/null && "$1/prefix/bin/git-promote" --version >/dev/null
}
deb_install() {
  mkdir -p "$1" && dpkg-deb -x "$deb" "$1/root" && "$1/root/usr/bin/git-promote" --version >/dev/null
}
tool_install() {
  NUGET_PACKAGES="$1/nuget" DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    dotnet tool install git-promote --version "$version" --tool-path "$1/tools" --configfile "$work/nuget.config" >/dev/null &&
    "$1/tools/git-promote" --version >/dev/null
}

echo "git-promote $version, $runs runs each, median wall time from files on disk to a working --version"
for kind in tarball deb tool; do
  : >"$work/$kind.times"
  i=0
  while [ "$i" -lt "$runs" ]; do
    i=$((i + 1))
    start=$(ms)
    "${kind}_install" "$work/$kind-$i"
    echo $(($(ms) - start)) >>"$work/$kind.times"
    rm -rf "$work/$kind-$i"
  done
  printf '  %-8s %6s ms  (min %s, max %s)\n' "$kind" "$(median <"$work/$kind.times")" "$(sort -n "$work/$kind.times" | head -n 1)" "$(sort -n "$work/$kind.times" | tail -n 1)"
done
echo "sizes:"
for f in "$tarball" "$deb" "$release"/git-promote*.nupkg; do
  printf '  %-44s %6s KiB\n' "$(basename "$f")" "$(($(wc -c <"$f") / 1024))"
done
