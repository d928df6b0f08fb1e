using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace GitPromote.IntegrationTests;

/// <summary>
/// The packages release.sh built for this machine's processor: the tarball, the .deb and the dotnet tool packages.
/// test.sh builds them once per run and passes the folder in GIT_PROMOTE_TEST_RELEASE; a plain `dotnet test` builds
/// them here. In CI a missing release is a failure, never a skip: the packages are what teams install.
/// </summary>
public sealed class ReleasePackages : IDisposable
{
    private readonly string? _ownedDir;

    public ReleasePackages()
    {
        var dir = Environment.GetEnvironmentVariable("GIT_PROMOTE_TEST_RELEASE");
        if (string.IsNullOrEmpty(dir))
        {
            if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
                throw new InvalidOperationException("GIT_PROMOTE_TEST_RELEASE is not set: run the tests with ./test.sh, which builds the release once and " +
                    "tests its packages");
            _ownedDir = dir = Path.Combine(Path.GetTempPath(), "git-promote-release-" + Guid.NewGuid().ToString("N")[..8]);
            var release = new ProcessStartInfo(Path.Combine(TestSupport.RepositoryRoot.Path, "release.sh"))
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true
            };
            release.ArgumentList.Add("--out");
            release.ArgumentList.Add(dir);
            using var p = Process.Start(release)!;
            var err = p.StandardError.ReadToEndAsync();
            var output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException("release.sh failed: " + output + err.Result);
        }
        Dir = dir;
        var sums = Path.Combine(Dir, "SHA256SUMS");
        if (!File.Exists(sums)) throw new InvalidOperationException($"no release in {Dir}: SHA256SUMS is missing (./release.sh --out {Dir} builds it)");
        var tarball = Regex.Match(File.ReadAllText(sums), $@"git-promote-(?<version>[0-9][^\s]*)-{Rid}\.tar\.gz");
        if (!tarball.Success) throw new InvalidOperationException($"the release in {Dir} has no tarball for {Rid}");
        Version = tarball.Groups["version"].Value;
    }

    public string Dir { get; }
    public string Version { get; }

    /// <summary>linux-x64 or linux-arm64: the packages of this machine's processor, the ones that run here.</summary>
    public static string Rid => "linux-" + (RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "arm64" : "x64");

    public string Tarball => Path.Combine(Dir, $"git-promote-{Version}-{Rid}.tar.gz");
    public string Deb => Path.Combine(Dir, $"git-promote_{Version.Replace('-', '~')}_{(Rid == "linux-arm64" ? "arm64" : "amd64")}.deb");

    /// <summary>
    /// What <c>git-promote --version</c> of a build of this checkout prints: the version and the commit it was built
    /// from (HEAD), or "unknown" when the tests run from a folder that is not a git checkout.
    /// </summary>
    public string ExpectedVersionLine
    {
        get
        {
            var git = new ProcessStartInfo("git")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = TestSupport.RepositoryRoot.Path
            };
            git.ArgumentList.Add("rev-parse");
            git.ArgumentList.Add("HEAD");
            using var p = Process.Start(git)!;
            var head = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            return $"git-promote {Version} (commit {(p.ExitCode == 0 ? head[..12] : "unknown")})";
        }
    }

    public void Dispose()
    {
        if (_ownedDir is not null) Directory.Delete(_ownedDir, recursive: true);
    }
}
