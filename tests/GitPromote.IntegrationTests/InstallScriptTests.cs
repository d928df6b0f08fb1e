using System.Diagnostics;

namespace GitPromote.IntegrationTests;

/// <summary>install.sh run again over an installation, from a release layout (the installed binary and hooks beside a copy of the script).</summary>
[Collection(InstalledCollection.Name)]
public sealed class InstallScriptTests(InstalledGitPromote installed) : IDisposable
{
    private readonly Sandbox _s = new(installed);

    public void Dispose() => _s.Dispose();

    [Fact]
    public void An_upgrade_removes_what_an_interrupted_one_left_behind_and_leaves_a_running_ones_files()
    {
        var release = Path.Combine(_s.Root, "release");
        Directory.CreateDirectory(Path.Combine(release, "bin"));
        Directory.CreateDirectory(Path.Combine(release, "share", "git-promote"));
        File.Copy(Path.Combine(TestSupport.RepositoryRoot.Path, "install.sh"), Path.Combine(release, "install.sh"));
        foreach (var file in Directory.GetFiles(Path.Combine(installed.Prefix, "bin")))
            File.Copy(file, Path.Combine(release, "bin", Path.GetFileName(file)));
        _s.Exec(_s.Root, "cp", ["-R", Path.Combine(installed.Prefix, "share", "git-promote", "hooks"),
            Path.Combine(release, "share", "git-promote", "hooks")]).EnsureOk();
        var prefix = Path.Combine(_s.Root, "prefix");
        _s.Exec(release, "sh", [Path.Combine(release, "install.sh"), "--prefix", prefix]).EnsureOk();
        // An installer killed mid-copy (its process is gone), and one still copying (this test's own process).
        using var gone = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        gone.WaitForExit();
        var stale = Path.Combine(prefix, "bin", $"git-promote.tmp.{gone.Id}");
        var staleHook = Path.Combine(prefix, "share", "git-promote", "hooks", $"pre-push.tmp.{gone.Id}");
        var running = Path.Combine(prefix, "bin", $"git-promote.tmp.{Environment.ProcessId}");
        foreach (var f in new[] { stale, staleHook, running }) File.WriteAllBytes(f, new byte[1024]);

        _s.Exec(release, "sh", [Path.Combine(release, "install.sh"), "--prefix", prefix]).EnsureOk();

        Assert.False(File.Exists(stale));
        Assert.False(File.Exists(staleHook));
        Assert.True(File.Exists(running));
        _s.Exec(_s.Root, Path.Combine(prefix, "bin", "git-promote"), ["--version"]).EnsureOk();
    }
}
