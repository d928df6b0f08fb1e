using System.Diagnostics;

namespace GitPromote.IntegrationTests;

/// <summary>
/// The published Native AOT binary and its hooks, installed by install.sh exactly as a user gets them.
/// test.sh installs once and passes the prefix in GIT_PROMOTE_TEST_PREFIX; a plain `dotnet test` installs here.
/// </summary>
public sealed class InstalledGitPromote : IDisposable
{
    private readonly string? _ownedPrefix;

    public InstalledGitPromote()
    {
        var prefix = Environment.GetEnvironmentVariable("GIT_PROMOTE_TEST_PREFIX");
        if (string.IsNullOrEmpty(prefix))
        {
            _ownedPrefix = prefix = Path.Combine(Path.GetTempPath(), "git-promote-it-" + Guid.NewGuid().ToString("N")[..8]);
            var install = new ProcessStartInfo(Path.Combine(TestSupport.RepositoryRoot.Path, "install.sh"))
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true
            };
            install.ArgumentList.Add("--prefix");
            install.ArgumentList.Add(prefix);
            using var p = Process.Start(install)!;
            var err = p.StandardError.ReadToEndAsync();
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException("install.sh failed: " + err.Result);
        }
        Prefix = prefix;
        if (!File.Exists(BinaryPath)) throw new InvalidOperationException($"no git-promote binary at {BinaryPath}");
    }

    public string Prefix { get; }
    public string BinaryPath => Path.Combine(Prefix, "bin", "git-promote");
    public string HooksDir => Path.Combine(Prefix, "share", "git-promote", "hooks");

    public void Dispose()
    {
        if (_ownedPrefix is not null) Directory.Delete(_ownedPrefix, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class InstalledCollection : ICollectionFixture<InstalledGitPromote>
{
    public const string Name = "installed git-promote";
}
