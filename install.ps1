#Requires -Version 7
# Builds git-promote (Native AOT) and installs it:
#   PREFIX/bin/git-promote[.exe] (+ the native libgit2 beside it), PREFIX/share/git-promote/hooks/
# Usage: pwsh ./install.ps1 [-Prefix DIR]     (default prefix: $env:LOCALAPPDATA\git-promote on Windows, ~/.local elsewhere)
#        pwsh ./install.ps1 -Uninstall [-Prefix DIR]
# It only installs; wiring a clone is `git promote install`. Re-running upgrades in place, atomically.
[CmdletBinding()]
param(
    [string] $Prefix,
    [switch] $Uninstall,
    [switch] $Help
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
# A failing `dotnet publish` is reported from its log, not as a PowerShell error.
$PSNativeCommandUseErrorActionPreference = $false

function Stop-Install([string] $Message) {
    [Console]::Error.WriteLine("install.ps1: $Message")
    exit 1
}

if ($Help) {
    Get-Content -LiteralPath $PSCommandPath -TotalCount 6 | Select-Object -Skip 1 | ForEach-Object { $_ -replace '^# ?', '' }
    exit 0
}

if (-not $Prefix) {
    if ($IsWindows) {
        $localAppData = if ($env:LOCALAPPDATA) { $env:LOCALAPPDATA } else { [Environment]::GetFolderPath('LocalApplicationData') }
        $Prefix = Join-Path $localAppData 'git-promote'
    } else {
        $Prefix = Join-Path $HOME '.local'
    }
} elseif ($Prefix -match '^~(?=$|[\\/])') {
    # A quoted ~ reaches us unexpanded; the shell would have expanded it for install.sh.
    $Prefix = $HOME + $Prefix.Substring(1)
}
$Prefix = [IO.Path]::GetFullPath($Prefix, (Get-Location -PSProvider FileSystem).ProviderPath)

$binDir = Join-Path $Prefix 'bin'
$shareDir = Join-Path $Prefix 'share' 'git-promote'
$hookDir = Join-Path $shareDir 'hooks'
$exeName = if ($IsWindows) { 'git-promote.exe' } else { 'git-promote' }
$exePath = Join-Path $binDir $exeName
$libPatterns = if ($IsWindows) { @('git2-*.dll') } else { @('libgit2-*.so', 'libgit2-*.dylib') }

function Get-InstalledBinaries {
    if (-not (Test-Path -LiteralPath $binDir -PathType Container)) { return @() }
    $found = @(Get-ChildItem -LiteralPath $binDir -Filter $exeName -File)
    foreach ($pattern in $libPatterns) { $found += @(Get-ChildItem -LiteralPath $binDir -Filter $pattern -File) }
    return $found
}

# Files moved aside by an earlier upgrade on Windows (see Install-File); they are deletable once no process runs them.
function Remove-OldCopies {
    $patterns = @{ $binDir = @("$exeName.old.*") + @($libPatterns | ForEach-Object { "$_.old.*" }); $hookDir = @('*.old.*') }
    foreach ($dir in $patterns.Keys) {
        if (-not (Test-Path -LiteralPath $dir -PathType Container)) { continue }
        foreach ($pattern in $patterns[$dir]) {
            foreach ($old in @(Get-ChildItem -LiteralPath $dir -Filter $pattern -File)) {
                try { Remove-Item -LiteralPath $old.FullName -Force } catch { }
            }
        }
    }
}

if ($Uninstall) {
    Remove-OldCopies
    foreach ($file in Get-InstalledBinaries) {
        try {
            Remove-Item -LiteralPath $file.FullName -Force
        } catch {
            # Windows refuses to delete a running .exe (or a .dll it has loaded) but allows renaming it.
            $aside = "$($file.FullName).old.$PID"
            [IO.File]::Move($file.FullName, $aside, $true)
            [Console]::Error.WriteLine("install.ps1: $($file.FullName) is in use; moved it to $aside, delete that once it has exited")
        }
    }
    if (Test-Path -LiteralPath $shareDir) { Remove-Item -LiteralPath $shareDir -Recurse -Force }
    Write-Output "git-promote removed from $Prefix"
    Write-Output "  clones wired with 'git promote install' still point at ${hookDir}: run 'git promote uninstall' in them first, or 'git config --unset core.hooksPath'"
    exit 0
}

if (-not (Get-Command dotnet -CommandType Application -ErrorAction SilentlyContinue)) {
    Stop-Install 'the .NET 10 SDK (dotnet) is needed to build git-promote'
}

function Get-RuntimeIdentifier {
    $info = [System.Runtime.InteropServices.RuntimeInformation]
    $platform = [System.Runtime.InteropServices.OSPlatform]
    $os = if ($info::IsOSPlatform($platform::Windows)) { 'win' }
    elseif ($info::IsOSPlatform($platform::Linux)) { if (Test-Musl) { 'linux-musl' } else { 'linux' } }
    elseif ($info::IsOSPlatform($platform::OSX)) { 'osx' }
    else { Stop-Install "unsupported system '$($info::OSDescription)'" }
    $arch = switch ($info::OSArchitecture) {
        ([System.Runtime.InteropServices.Architecture]::X64) { 'x64' }
        ([System.Runtime.InteropServices.Architecture]::Arm64) { 'arm64' }
        default { Stop-Install "unsupported processor '$($info::OSArchitecture)'" }
    }
    return "$os-$arch"
}

function Test-Musl {
    if ([System.Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier -like '*musl*') { return $true }
    if (-not (Get-Command ldd -CommandType Application -ErrorAction SilentlyContinue)) { return $false }
    return [bool]((& ldd --version 2>&1 | Out-String) -match 'musl')
}

# Writes the file beside its target and renames it over the target: a push that starts mid-upgrade sees the old
# file or the new one, never half of one. Hooks are normalised to LF without a BOM at the byte level (never
# re-encoded), because Git for Windows' sh fails on CRLF and a checkout with core.autocrlf may have added them.
function Install-File([string] $From, [string] $To, [switch] $Script) {
    $tmp = "$To.tmp.$PID"
    try {
        if ($Script) {
            [IO.File]::WriteAllBytes($tmp, (ConvertTo-UnixText ([IO.File]::ReadAllBytes($From))))
        } else {
            [IO.File]::Copy($From, $tmp, $true)
        }
        if (-not $IsWindows) { Set-Executable $tmp }
        try {
            [IO.File]::Move($tmp, $To, $true)
        } catch {
            if (-not $IsWindows -or -not (Test-Path -LiteralPath $To)) { throw }
            # Windows cannot replace a running .exe (or a .dll it has loaded) but can rename it out of the way.
            [IO.File]::Move($To, "$To.old.$PID", $true)
            [IO.File]::Move($tmp, $To, $false)
        }
    } finally {
        if (Test-Path -LiteralPath $tmp) { Remove-Item -LiteralPath $tmp -Force -ErrorAction SilentlyContinue }
    }
}

function ConvertTo-UnixText([byte[]] $Bytes) {
    $start = if ($Bytes.Length -ge 3 -and $Bytes[0] -eq 0xEF -and $Bytes[1] -eq 0xBB -and $Bytes[2] -eq 0xBF) { 3 } else { 0 }
    $out = [System.Collections.Generic.List[byte]]::new($Bytes.Length)
    for ($i = $start; $i -lt $Bytes.Length; $i++) {
        if ($Bytes[$i] -eq 0x0D -and $i + 1 -lt $Bytes.Length -and $Bytes[$i + 1] -eq 0x0A) { continue }
        $out.Add($Bytes[$i])
    }
    return , $out.ToArray()
}

function Set-Executable([string] $Path) {
    $modeType = 'System.IO.UnixFileMode' -as [type]
    if ($modeType -and [IO.File].GetMethod('SetUnixFileMode', [type[]] @([string], $modeType))) {
        [IO.File]::SetUnixFileMode($Path, [Enum]::Parse($modeType, 'UserRead, UserWrite, UserExecute, GroupRead, GroupExecute, OtherRead, OtherExecute'))
    } else {
        # PowerShell 7.0-7.3 run on a .NET without SetUnixFileMode.
        & chmod 755 -- $Path
        if ($LASTEXITCODE -ne 0) { Stop-Install "could not make $Path executable" }
    }
}

function Test-OnPath([string] $Dir) {
    $comparison = if ($IsWindows) { [StringComparison]::OrdinalIgnoreCase } else { [StringComparison]::Ordinal }
    $wanted = $Dir.TrimEnd([IO.Path]::DirectorySeparatorChar, [IO.Path]::AltDirectorySeparatorChar)
    foreach ($entry in ($env:PATH -split [regex]::Escape([IO.Path]::PathSeparator))) {
        $entry = $entry.Trim('"').TrimEnd([IO.Path]::DirectorySeparatorChar, [IO.Path]::AltDirectorySeparatorChar)
        if ($entry -and [string]::Equals($entry, $wanted, $comparison)) { return $true }
    }
    return $false
}

$source = $PSScriptRoot
$project = Join-Path $source 'src' 'GitPromote.Cli' 'GitPromote.Cli.csproj'
$rid = Get-RuntimeIdentifier
$stage = Join-Path ([IO.Path]::GetTempPath()) ('git-promote-build.' + [IO.Path]::GetRandomFileName())
try {
    $null = New-Item -ItemType Directory -Path $stage
    $out = Join-Path $stage 'out'
    $log = Join-Path $stage 'build.log'
    Write-Output "building git-promote for $rid (Native AOT)..."
    & dotnet publish $project -c Release -r $rid -o $out --nologo -v quiet *> $log
    if ($LASTEXITCODE -ne 0) {
        [Console]::Error.WriteLine((Get-Content -LiteralPath $log -Raw))
        if ($IsWindows) {
            [Console]::Error.WriteLine("install.ps1: Native AOT on Windows needs Visual Studio's 'Desktop development with C++' workload")
        }
        Stop-Install 'the build failed (log above)'
    }
    $builtExe = Join-Path $out $exeName
    if (-not (Test-Path -LiteralPath $builtExe -PathType Leaf)) { Stop-Install "the build did not produce $builtExe" }

    $null = New-Item -ItemType Directory -Force -Path $binDir, $hookDir
    Remove-OldCopies
    foreach ($pattern in $libPatterns) {
        foreach ($lib in @(Get-ChildItem -LiteralPath $out -Filter $pattern -File)) {
            Install-File $lib.FullName (Join-Path $binDir $lib.Name)
        }
    }
    Install-File $builtExe $exePath
    # hooks/pass-through is written under every hook name it lists (its '# hooks:' lines), as install.sh does.
    foreach ($hook in @(Get-ChildItem -LiteralPath (Join-Path $source 'hooks') -File | Sort-Object Name)) {
        $names = @($hook.Name)
        if ($hook.Name -eq 'pass-through') {
            $names = @(Get-Content -LiteralPath $hook.FullName | Where-Object { $_ -match '^# hooks: ' } |
                ForEach-Object { ($_ -replace '^# hooks: ', '').Trim() -split '\s+' })
        }
        foreach ($name in $names) { Install-File $hook.FullName (Join-Path $hookDir $name) -Script }
    }
} finally {
    Remove-Item -LiteralPath $stage -Recurse -Force -ErrorAction SilentlyContinue
}

$version = (& $exePath --version | Out-String).Trim()
if ($LASTEXITCODE -ne 0) { Stop-Install "the installed $exePath did not run ('--version' exited with $LASTEXITCODE)" }
Write-Output "installed $version in $Prefix"
Write-Output "  binary: $exePath"
Write-Output "  hooks:  $hookDir"
if (-not (Test-OnPath $binDir)) {
    Write-Output "  note: $binDir is not on your PATH; add it so 'git promote' works:"
    if ($IsWindows) {
        $quoted = $binDir -replace "'", "''"
        Write-Output "        [Environment]::SetEnvironmentVariable('Path', '$quoted;' + [Environment]::GetEnvironmentVariable('Path', 'User'), 'User')   (then open a new terminal)"
    } else {
        Write-Output "        export PATH=`"${binDir}:`$PATH`"   (in your shell profile)"
    }
}
Write-Output "next: in a clone, 'git promote install' wires it; 'git promote demo' shows the whole flow"
