#!/bin/sh
# Builds git-promote's release packages, for machines that install it without building (no .NET SDK needed there):
#   git-promote-VERSION-linux-ARCH.tar.gz      bin/ share/git-promote/hooks/ share/man/man1/ install.sh LICENSE README
#   git-promote_VERSION_DEBARCH.deb            /usr/lib/git-promote/{bin,share}, /usr/bin/git-promote, /usr/share/man/man1/git-promote.1.gz
#   git-promote.VERSION.nupkg and git-promote.linux-ARCH.VERSION.nupkg    a dotnet tool, Native AOT per runtime
#   SHA256SUMS
# Usage: ./release.sh [--version X.Y.Z] [--out DIR] [--arch x64|arm64|all]
#   defaults: the version in Directory.Build.props, ./dist, this machine's processor. arm64 on an x64 machine is
#   cross-compiled and needs a cross linker: apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross
set -eu

root=$(cd -- "$(dirname -- "$0")" && pwd)
version=
out="$root/dist"
case "$(uname -m)" in aarch64|arm64) archs=arm64 ;; *) archs=x64 ;; esac
while [ $# -gt 0 ]; do
  case "$1" in
    --version) [ $# -ge 2 ] || { echo "release.sh: --version needs X.Y.Z" >&2; exit 2; }; version=$2; shift 2 ;;
    --version=*) version=${1#--version=}; shift ;;
    --out) [ $# -ge 2 ] || { echo "release.sh: --out needs a directory" >&2; exit 2; }; out=$2; shift 2 ;;
    --out=*) out=${1#--out=}; shift ;;
    --arch) [ $# -ge 2 ] || { echo "release.sh: --arch needs x64, arm64 or all" >&2; exit 2; }; archs=$2; shift 2 ;;
    --arch=*) archs=${1#--arch=}; shift ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "release.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case "$archs" in
  x64|arm64) ;;
  all) archs="x64 arm64" ;;
  *) echo "release.sh: --arch is x64, arm64 or all, not '$archs'" >&2; exit 2 ;;
esac
[ -n "$version" ] || version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$root/Directory.Build.props" | head -n 1)
if ! printf '%s\n' "$version" | grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$'; then
  echo "release.sh: version '$version' is not X.Y.Z (or X.Y.Z-pre.1)" >&2
  exit 2
fi
case "$out" in /*) ;; *) out="$(pwd)/$out" ;; esac
[ "$(uname -s)" = Linux ] || { echo "release.sh: builds Linux packages on Linux only" >&2; exit 1; }
command -v dotnet >/dev/null 2>&1 || { echo "release.sh: the .NET 10 SDK (dotnet) is needed" >&2; exit 1; }
command -v dpkg-deb >/dev/null 2>&1 || { echo "release.sh: dpkg-deb is needed for the .deb (apt-get install dpkg)" >&2; exit 1; }
host=$(uname -m)
for arch in $archs; do
  case "$arch-$host" in
    x64-x86_64|arm64-aarch64) ;;
    arm64-x86_64)
      command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || {
        echo "release.sh: linux-arm64 is cross-compiled and needs a cross linker: apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross" >&2; exit 1; } ;;
    *) echo "release.sh: cannot build linux-$arch on $host" >&2; exit 1 ;;
  esac
done

# Timestamps inside the packages: the commit's, so the same commit packs the same bytes.
epoch=$(git -C "$root" log -1 --format=%ct 2>/dev/null) || epoch=$(date +%s)
export SOURCE_DATE_EPOCH="$epoch"
# MSBuild reads ';' in a -p: value as the start of another property: %3B is its escaped form.
rids=$(for arch in $archs; do printf 'linux-%s%%3B' "$arch"; done); rids=${rids%%%3B}
stage=$(mktemp -d "${TMPDIR:-/tmp}/git-promote-release.XXXXXX")
trap 'rm -rf "$stage"' EXIT INT TERM
mkdir -p "$out" "$stage/nupkg"
started=$(date +%s)
made=
project="$root/src/GitPromote.Cli/GitPromote.Cli.csproj"
# Symbols stay out of the packages: the AOT binary is stripped and the .pdb files describe IL that is not shipped.
packing="-c Release --nologo -v minimal -o $stage/nupkg -p:Version=$version -p:ToolPackageRuntimeIdentifiers=$rids
  -p:CopyOutputSymbolsToPublishDirectory=false -p:AllowedReferenceRelatedFileExtensions=.none"

# Runs a build step with its own lines indented under ours; fails the release when it fails.
step() {
  { status=0; "$@" 2>&1 || status=$?; echo "$status" >"$stage/status"; } | sed 's/^ */  /'
  [ "$(cat "$stage/status")" = 0 ] || { echo "release.sh: the build failed (its output is above)" >&2; exit 1; }
}

# The installed tree, the same in the tarball and under /usr/lib/git-promote: bin/, share/git-promote/hooks/ and
# the manual page share/man/man1/git-promote.1 (found by man through PATH: PREFIX/bin -> PREFIX/share/man).
layout() { # publish-dir target-dir
  mkdir -p "$2/bin" "$2/share/git-promote/hooks" "$2/share/man/man1"
  cp "$root/docs/git-promote.1" "$2/share/man/man1/git-promote.1"
  cp "$1/git-promote" "$2/bin/"
  for lib in "$1"/libgit2-*; do [ -e "$lib" ] && cp "$lib" "$2/bin/"; done
  chmod 755 "$2"/bin/*
  bom=$(printf '\357\273\277')
  # hooks/pass-through is laid out under every hook name it lists, as install.sh does from a source checkout.
  # (Its variables are the script's: none of them may be called name, which the caller is using.)
  for hook in "$root"/hooks/*; do
    hook_names=$(basename "$hook")
    if [ "$hook_names" = pass-through ]; then hook_names=$(sed -n 's/^# hooks: //p' "$hook" | tr -d '\r'); fi
    for hook_name in $hook_names; do
      LC_ALL=C sed "1s/^$bom//" "$hook" | tr -d '\r' >"$2/share/git-promote/hooks/$hook_name"
      chmod 755 "$2/share/git-promote/hooks/$hook_name"
    done
  done
}

echo "packing the dotnet tool's pointer package git-promote $version ($(echo $archs | sed 's/\([^ ]*\)/linux-\1/g'))..."
# shellcheck disable=SC2086
step dotnet pack "$project" $packing

for arch in $archs; do
  rid=linux-$arch
  cross=
  if [ "$arch-$host" = arm64-x86_64 ]; then
    # The AOT link step passes clang's --target=aarch64-linux-gnu, which gcc refuses; Debian's gcc cross compiler
    # is that target already, so a wrapper drops the option.
    mkdir -p "$stage/cross"
    cat >"$stage/cross/aarch64-linux-gnu-gcc" <<'EOF'
#!/bin/sh
for arg do
  shift
  case $arg in --target=*) ;; *) set -- "$@" "$arg" ;; esac
done
exec aarch64-linux-gnu-gcc "$@"
EOF
    chmod 755 "$stage/cross/aarch64-linux-gnu-gcc"
    cross="-p:CppCompilerAndLinker=$stage/cross/aarch64-linux-gnu-gcc -p:ObjCopyName=aarch64-linux-gnu-objcopy"
  fi
  echo "building git-promote $version for $rid (Native AOT, about a minute)..."
  # One AOT compile per runtime: packing the tool publishes it, and the tarball and the .deb take that output.
  # shellcheck disable=SC2086
  step dotnet pack "$project" -r "$rid" $packing -p:PublishDir="$stage/publish-$rid/" $cross

  name="git-promote-$version-$rid"
  pkg="$stage/$name"
  layout "$stage/publish-$rid" "$pkg"
  cp "$root/install.sh" "$root/LICENSE" "$pkg/"
  chmod 755 "$pkg/install.sh"
  cat >"$pkg/README" <<EOF
git-promote $version for $rid: dev -> stg -> prd with nothing but git push.

Install (no .NET SDK needed; default prefix ~/.local, re-running upgrades in place):

    ./install.sh [--prefix DIR]
    export PATH="\$HOME/.local/bin:\$PATH"     # or DIR/bin
    git promote demo                         # the whole flow in a playground
    git promote install --global             # guard every clone of this user (or --system, or in one clone)

Remove: git promote uninstall --global, then ./install.sh --uninstall [--prefix DIR].
The manual: README.md and docs/ of the git-promote repository. License: MIT (LICENSE).
EOF
  made="$made $name.tar.gz"
  (cd "$stage" && tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" -cf - "$name" | gzip -n -9 >"$out/$name.tar.gz")

  case "$arch" in x64) debarch=amd64 ;; arm64) debarch=arm64 ;; esac
  deb="$stage/deb-$rid"
  layout "$stage/publish-$rid" "$deb/usr/lib/git-promote"
  mkdir -p "$deb/usr/bin" "$deb/usr/share/doc/git-promote" "$deb/DEBIAN"
  # A relative link, so the package also works unpacked under another root (dpkg -x); the program finds its hooks
  # from its own real path (/usr/lib/git-promote/share/git-promote/hooks).
  ln -s ../lib/git-promote/bin/git-promote "$deb/usr/bin/git-promote"
  cp "$root/LICENSE" "$deb/usr/share/doc/git-promote/copyright"
  # Where man looks for /usr/bin's programs: git promote --help (git help promote) opens it.
  mkdir -p "$deb/usr/share/man/man1"
  gzip -n -9 <"$root/docs/git-promote.1" >"$deb/usr/share/man/man1/git-promote.1.gz"
  cat >"$deb/DEBIAN/control" <<EOF
Package: git-promote
Version: $(printf '%s' "$version" | tr - '~')
Architecture: $debarch
Maintainer: git-promote contributors
Installed-Size: $(du -sk "$deb/usr" | cut -f1)
Depends: libc6 (>= 2.34), git
Section: vcs
Priority: optional
Description: dev -> stg -> prd with nothing but git push
 Git hooks and a pipeline gate that refuse to push a commit to an environment
 unless it is green in the previous one. Installing the package wires no
 repository: run 'git promote install --system' (every user), '--global' (one
 user) or 'git promote install' in a clone.
EOF
  cat >"$deb/DEBIAN/postinst" <<'EOF'
#!/bin/sh
# Installs the program only: no repository, user or system git config is wired by the package.
set -e
if [ "$1" = configure ]; then
  echo "git-promote: installed; nothing is wired. Guard clones with: git promote install --system (or --global, or in a clone)"
fi
exit 0
EOF
  chmod 755 "$deb/DEBIAN/postinst"
  debname="git-promote_$(printf '%s' "$version" | tr - '~')_$debarch.deb"
  made="$made $debname"
  dpkg-deb --root-owner-group -Zxz --build "$deb" "$out/$debname" >/dev/null
done

for nupkg in "$stage"/nupkg/*.nupkg; do
  cp "$nupkg" "$out/"
  made="$made $(basename "$nupkg")"
done
# Only this release's files: --out may hold other versions.
# shellcheck disable=SC2086
(cd "$out" && sha256sum -- $made >SHA256SUMS.tmp && mv SHA256SUMS.tmp SHA256SUMS)
echo "release $version in $out ($(($(date +%s) - started))s):"
(cd "$out" && for f in $made SHA256SUMS; do printf '  %-48s %6s KiB\n' "$f" "$(($(wc -c <"$f") / 1024))"; done)
