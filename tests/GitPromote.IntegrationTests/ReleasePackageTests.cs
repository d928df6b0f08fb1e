namespace GitPromote.IntegrationTests;

/// <summary>
/// Installing without building (issue 13): each package release.sh builds is installed the way its users install it
/// and then run, on a machine where the install step cannot reach a .NET SDK.
/// </summary>
[Collection(InstalledCollection.Name)]
public sealed class ReleasePackageTests(InstalledGitPromote installed, ReleasePackages release) : IClassFixture<ReleasePackages>, IDisposable
{
    private readonly Sandbox _s = new(installed);

    public void Dispose() => _s.Dispose();

    [Fact]
    public void The_checksums_cover_every_package_and_match()
    {
        var sums = File.ReadAllLines(Path.Combine(release.Dir, "SHA256SUMS"));
        var named = sums.Select(l => l.Split("  ", 2)[1]).ToList();

        Assert.Contains(Path.GetFileName(release.Tarball), named);
        Assert.Contains(Path.GetFileName(release.Deb), named);
        Assert.Contains($"git-promote.{release.Version}.nupkg", named);
        Assert.Contains($"git-promote.{ReleasePackages.Rid}.{release.Version}.nupkg", named);
        _s.Exec(release.Dir, "sha256sum", ["--check", "--strict", "SHA256SUMS"]).EnsureOk();
    }

    [Fact]
    public void The_tarball_installs_without_the_dotnet_SDK_runs_the_demo_and_uninstalls()
    {
        var unpacked = Path.Combine(_s.Root, "download");
        Directory.CreateDirectory(unpacked);
        var listing = _s.Exec(unpacked, "tar", ["-tzvf", release.Tarball]).EnsureOk().Stdout;
        var top = $"git-promote-{release.Version}-{ReleasePackages.Rid}";
        foreach (var part in new[] { "bin/git-promote", "bin/libgit2-", "share/git-promote/hooks/pre-push", "share/git-promote/hooks/pre-receive", "install.sh",
            "LICENSE", "README", "share/man/man1/git-promote.1" })
            Assert.Contains($"{top}/{part}", listing);
        foreach (var hook in EveryHookTests.PassThroughNames.Append("git-promote-pass-through"))
            Assert.Matches($@"-rwxr-xr-x .* {top}/share/git-promote/hooks/{hook}\n", listing);
        Assert.DoesNotContain(".dbg", listing);
        _s.Exec(unpacked, "tar", ["-xzf", release.Tarball]).EnsureOk();
        var noDotnet = new Dictionary<string, string?> { ["PATH"] = PathWithoutDotnet() };
        Assert.NotEqual(0, _s.Exec(unpacked, "sh", ["-c", "command -v dotnet"], env: noDotnet).ExitCode);
        var prefix = Path.Combine(_s.Root, "opt", "git promote");

        var install = _s.Exec(unpacked, Path.Combine(unpacked, top, "install.sh"), ["--prefix", prefix], env: noDotnet).EnsureOk();

        Assert.Contains($"installing {release.ExpectedVersionLine} from {Path.Combine(unpacked, top)}", install.Stdout);
        Assert.DoesNotContain("building", install.Stdout);
        Assert.Contains($"installed {release.ExpectedVersionLine} in {prefix}", install.Stdout);
        var onlyThisInstall = new Dictionary<string, string?> { ["PATH"] = Path.Combine(prefix, "bin") + ":" + PathWithoutDotnet() };
        var playground = Path.Combine(_s.Root, "playground");
        var demo = _s.Exec(_s.Root, "git", ["promote", "demo", playground], env: onlyThisInstall).EnsureOk();
        Assert.Contains("All 20 steps behaved as expected.", demo.Stdout);
        Assert.Equal(Path.Combine(prefix, "share", "git-promote", "hooks"), _s.Git(Path.Combine(playground, "app"), "config", "core.hooksPath").Stdout.Trim());

        // Re-running is an upgrade in place; --uninstall from the unpacked folder removes what it installed.
        _s.Exec(unpacked, Path.Combine(unpacked, top, "install.sh"), ["--prefix", prefix], env: noDotnet).EnsureOk();
        _s.Exec(unpacked, Path.Combine(unpacked, top, "install.sh"), ["--uninstall", "--prefix", prefix], env: noDotnet).EnsureOk();
        Assert.Empty(Directory.GetFiles(Path.Combine(prefix, "bin")));
        Assert.False(Directory.Exists(Path.Combine(prefix, "share", "git-promote")));
    }

    [Fact]
    public void The_deb_installs_under_usr_lib_with_a_command_in_usr_bin_that_guards_pushes_from_an_unpacked_root()
    {
        var contents = _s.Exec(_s.Root, "dpkg-deb", ["--contents", release.Deb]).EnsureOk().Stdout;
        foreach (var path in new[] { "./usr/lib/git-promote/bin/git-promote", "./usr/lib/git-promote/bin/libgit2-",
            "./usr/lib/git-promote/share/git-promote/hooks/pre-push",
                     "./usr/bin/git-promote -> ../lib/git-promote/bin/git-promote", "./usr/share/doc/git-promote/copyright",
                     "./usr/share/man/man1/git-promote.1.gz" })
            Assert.Contains(path, contents);
        foreach (var hook in EveryHookTests.PassThroughNames.Append("git-promote-pass-through"))
            Assert.Matches($@"-rwxr-xr-x .* \./usr/lib/git-promote/share/git-promote/hooks/{hook}\n", contents);
        Assert.Contains("root/root", contents);
        var fields = _s.Exec(_s.Root, "dpkg-deb", ["--field", release.Deb, "Package", "Version", "Architecture"]).EnsureOk().Stdout;
        Assert.Contains("Package: git-promote", fields);
        Assert.Contains($"Version: {release.Version.Replace('-', '~')}", fields);
        var root = Path.Combine(_s.Root, "root");

        _s.Exec(_s.Root, "dpkg-deb", ["-x", release.Deb, root]).EnsureOk();

        var command = Path.Combine(root, "usr", "bin", "git-promote");
        Assert.Equal(release.ExpectedVersionLine, _s.Exec(_s.Root, command, ["--version"]).EnsureOk().Stdout.Trim());
        // Through the /usr/bin link the program still finds its libgit2 and its hooks under /usr/lib/git-promote.
        var app = _s.Project();
        var onlyThisPackage = new Dictionary<string, string?> { ["PATH"] = Path.Combine(root, "usr", "bin") + ":/usr/bin:/bin" };
        _s.Exec(app, command, ["install"], env: onlyThisPackage).EnsureOk();
        Assert.Equal(Path.Combine(root, "usr", "lib", "git-promote", "share", "git-promote", "hooks"), _s.Git(app, "config", "core.hooksPath").Stdout.Trim());
        Assert.Contains("push to stg refused", _s.Exec(app, "git", ["push", "stg", "main"], env: onlyThisPackage).EnsureExit(1).Stderr);
        _s.Exec(app, "git", ["push", "dev", "main"], env: onlyThisPackage).EnsureOk();
        _s.Exec(app, command, ["record", "dev"], env: onlyThisPackage).EnsureOk();
        _s.Exec(app, "git", ["push", "stg", "main"], env: onlyThisPackage).EnsureOk();
    }

    [Fact]
    public void The_deb_postinst_wires_no_repository_user_or_machine()
    {
        var control = Path.Combine(_s.Root, "control");
        _s.Exec(_s.Root, "dpkg-deb", ["--control", release.Deb, control]).EnsureOk();
        _s.UseSystemConfig();
        var app = _s.Project();
        _s.Promote(app, "uninstall").EnsureOk();
        var before = (File.ReadAllText(_s.GlobalConfig), File.ReadAllText(_s.SystemConfig), File.ReadAllText(Path.Combine(app, ".git", "config")));

        var postinst = _s.Exec(app, Path.Combine(control, "postinst"), ["configure"]).EnsureOk();

        Assert.Contains("nothing is wired", postinst.Stdout);
        Assert.Equal(before, (File.ReadAllText(_s.GlobalConfig), File.ReadAllText(_s.SystemConfig), File.ReadAllText(Path.Combine(app, ".git", "config"))));
    }

    [Fact]
    public void The_dotnet_tool_installs_from_a_local_folder_as_the_native_binary_of_this_runtime()
    {
        var config = Path.Combine(_s.Root, "nuget.config");
        // Only the release folder: the test proves the packages are complete, not that a registry has them.
        File.WriteAllText(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration><packageSources><clear /><add key="release" value="{release.Dir}" /></packageSources></configuration>
            """);
        var tools = Path.Combine(_s.Root, "tools");
        var dotnet = new Dictionary<string, string?>
        {
            ["NUGET_PACKAGES"] = Path.Combine(_s.Root, "nuget-packages"),
            ["DOTNET_CLI_HOME"] = _s.Home,
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        };

        _s.Exec(_s.Root, "dotnet", ["tool", "install", "git-promote", "--version", release.Version, "--tool-path", tools, "--configfile", config],
            env: dotnet).EnsureOk();

        var version = _s.Exec(_s.Root, Path.Combine(tools, "git-promote"), ["--version"]).EnsureOk().Stdout.Trim();
        Assert.Equal(release.ExpectedVersionLine, version);
        // The native binary itself, not an apphost starting a managed dll.
        var target = new FileInfo(Path.Combine(tools, "git-promote")).ResolveLinkTarget(returnFinalTarget: true)?.FullName
            ?? Path.Combine(tools, "git-promote");
        Assert.Contains($"git-promote.{ReleasePackages.Rid}", target);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(target)!, "*.dll"));

        // The tool has no hooks folder beside it: it carries the shims in the program, and lays them out in a folder of the clone's.
        var app = _s.Project();
        _s.Promote(app, "uninstall").EnsureOk();
        var log = Path.Combine(_s.Root, "own.log");
        Sandbox.WriteScript(Path.Combine(app, ".git", "hooks", "pre-commit"), $"#!/bin/sh\necho OWN-PRE-COMMIT >> '{log}'\n");
        var hooks = Path.Combine(app, ".git", "promote-hooks");
        _s.Exec(app, Path.Combine(tools, "git-promote"), ["install", "--hooks-dir", hooks]).EnsureOk();
        Assert.True(File.Exists(Path.Combine(hooks, "git-promote-pass-through")));
        _s.Commit(app, "through the tool's shims");
        Assert.Equal("OWN-PRE-COMMIT\n", File.ReadAllText(log));
        var onlyTheTool = new Dictionary<string, string?> { ["PATH"] = tools + ":/usr/bin:/bin" };
        Assert.Contains("push to stg refused", _s.Exec(app, "git", ["push", "stg", "main"], env: onlyTheTool).EnsureExit(1).Stderr);
    }

    /// <summary>The system's PATH with every `dotnet` left out: a folder of links to all other programs.</summary>
    private string PathWithoutDotnet()
    {
        var dir = Path.Combine(_s.Root, "no-dotnet-bin");
        if (Directory.Exists(dir)) return dir;
        Directory.CreateDirectory(dir);
        foreach (var from in new[] { "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin" }.Where(Directory.Exists))
            foreach (var program in Directory.GetFiles(from))
            {
                var name = Path.GetFileName(program);
                if (name == "dotnet" || File.Exists(Path.Combine(dir, name))) continue;
                File.CreateSymbolicLink(Path.Combine(dir, name), program);
            }
        return dir;
    }
}
