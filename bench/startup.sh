#!/usr/bin/env bash
# Start-up of the Native AOT program, paired (B A B A ...): `git-promote --version` of two builds, each against a
# Native AOT "hello world" built here with the same SDK and settings (the floor of any .NET program on this machine),
# and the page faults of one run of each (what the start touches).
# Usage: bench/startup.sh BEFORE_PREFIX AFTER_PREFIX [PAIRS]   (prefixes made by install.sh --prefix; default 100)
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 BEFORE_PREFIX AFTER_PREFIX [PAIRS]" >&2; exit 2; }
before="$1/bin/git-promote"; after="$2/bin/git-promote"; pairs=${3:-100}
GIT_PROMOTE_PREFIX=$2
bench=$(cd -- "$(dirname -- "$0")" && pwd)
. "$bench/lib.sh"
bench_workspace startup

hello="$work/hello"
mkdir -p "$hello"
cp "$root/global.json" "$hello/"
cat > "$hello/hello.csproj" <<'XML'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <PublishAot>true</PublishAot>
    <InvariantGlobalization>true</InvariantGlobalization>
    <UseSystemResourceKeys>true</UseSystemResourceKeys>
    <StripSymbols>true</StripSymbols>
  </PropertyGroup>
</Project>
XML
echo 'System.Console.WriteLine("git-promote 0.0.0");' > "$hello/Program.cs"
dotnet publish "$hello/hello.csproj" -c Release -r linux-x64 -o "$hello/out" --nologo -v q >/dev/null
floor="$hello/out/hello"
: > "$work/empty"

faults() { /usr/bin/time -f '%R' "$@" 2>&1 >/dev/null | tail -1; }
echo "before: $("$before" --version)   after: $("$after" --version)   load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "page faults of one run: hello $(faults "$floor"), before $(faults "$before" --version), after $(faults "$after" --version)"
echo "| case | pairs | wall, median (A / B) | cpu, median (A / B) | wall A/B | cpu A/B | peak RSS (A / B) |"
echo "|---|---|---|---|---|---|---|"
python3 "$bench/paired_runs.py" "--version: after (A) / before (B)" "$before" "$after" "$work/empty" "$pairs" "" --version
python3 "$bench/paired_runs.py" "--version: after (A) / hello world (B)" "$floor" "$after" "$work/empty" "$pairs" "" --version
python3 "$bench/paired_runs.py" "--version: before (A) / hello world (B)" "$floor" "$before" "$work/empty" "$pairs" "" --version
