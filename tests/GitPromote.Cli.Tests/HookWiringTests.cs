using GitPromote.Cli.Hooks;
using GitPromote.Cli.Install;
using GitPromote.Cli.Tests.Support;
using GitPromote.Cli.Workspaces;
using GitPromote.Git;
using GitPromote.Platform;
using GitPromote.TestSupport;

namespace GitPromote.Cli.Tests;

/// <summary>
/// What the hook reads from git's config files and the hooks folders to know where git runs hooks from and which hooks
/// run after the guard. Read as a hook reads it (<see cref="HookWiring.ReadForHook"/>: the files, no git process).
/// </summary>
public sealed class HookWiringTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly GitLocation _clone;
    private readonly string _home;

    public HookWiringTests()
    {
        _home = _dir.Combine("home");
        Directory.CreateDirectory(_home);
        var work = _dir.Combine("work");
        Directory.CreateDirectory(Path.Combine(work, ".git", "hooks"));
        _clone = new GitLocation(Path.Combine(work, ".git"), Path.Combine(work, ".git"), work);
    }

    public void Dispose() => _dir.Dispose();

    private string GlobalConfig => Path.Combine(_home, ".gitconfig");

    private HookWiring Read(string local = "", string global = "")
    {
        File.WriteAllText(Path.Combine(_clone.CommonDir, "config"), "[core]\n\trepositoryformatversion = 0\n" + local);
        File.WriteAllText(GlobalConfig, global);
        var environment = new FakeEnvironment(("HOME", _home), ("GIT_CONFIG_NOSYSTEM", "1"), ("GIT_CONFIG_GLOBAL", GlobalConfig));
        return HookWiring.ReadForHook(new SystemFileSystem(), GitProcess.Default, _clone, environment);
    }

    private static string Executable(string path, string text = "#!/bin/sh\nexit 0\n")
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    [Fact]
    public void Without_core_hooksPath_hooks_run_from_the_repositorys_own_folder()
    {
        var wiring = Read();

        Assert.Null(wiring.HooksPath);
        Assert.Equal(Path.Combine(_clone.CommonDir, "hooks"), wiring.HooksDir);
    }

    [Fact]
    public void The_clones_core_hooksPath_wins_over_the_global_one_and_is_resolved_against_the_work_tree()
    {
        var wiring = Read(local: "\thooksPath = tools/hooks\n", global: "[core]\n\thooksPath = /opt/company-hooks\n");

        Assert.Equal("local", wiring.HooksPath!.Scope);
        Assert.Equal(Path.Combine(_clone.WorkTree!, "tools", "hooks"), wiring.HooksDir);
        Assert.Equal(2, wiring.Settings.Count);
    }

    [Fact]
    public void A_hooksPath_under_the_home_folder_is_resolved_with_HOME_from_the_environment()
    {
        var wiring = Read(global: "[core]\n\thooksPath = ~/.githooks\n");

        Assert.Equal("global", wiring.HooksPath!.Scope);
        Assert.Equal(Path.Combine(_home, ".githooks"), wiring.HooksDir);
    }

    [Fact]
    public void A_chain_setting_counts_only_at_the_level_of_the_effective_hooksPath()
    {
        var chainAbove = Read(local: "\thooksPath = /opt/ours\n", global: "[core]\n\thooksPath = /opt/theirs\n[promote]\n\tchainHooksPath = /opt/theirs\n");
        var chainSame = Read(global: "[core]\n\thooksPath = /opt/ours\n[promote]\n\tchainHooksPath = /opt/theirs\n");

        Assert.Null(chainAbove.ChainHooksPath);
        Assert.Equal("/opt/theirs", chainSame.ChainHooksPath!.Value);
    }

    [Fact]
    public void After_the_guard_run_the_folders_own_local_hook_then_the_chained_folders_hook_and_not_the_clones_hidden_one()
    {
        var ours = _dir.Combine("ours");
        var theirs = _dir.Combine("theirs");
        var local = Executable(Path.Combine(ours, "pre-push.local"));
        var chained = Executable(Path.Combine(theirs, "pre-push"));
        Executable(Path.Combine(_clone.CommonDir, "hooks", "pre-push"));

        var wiring = Read(global: $"[core]\n\thooksPath = {ours}\n[promote]\n\tchainHooksPath = {theirs}\n");

        Assert.Equal([new ChainedHook(local, ChainSource.LocalSuffix), new ChainedHook(chained, ChainSource.ChainHooksPath)], wiring.ChainedHooks("pre-push"));
    }

    [Fact]
    public void With_nothing_configured_the_clones_own_hook_that_hooksPath_hides_still_runs()
    {
        var own = Executable(Path.Combine(_clone.CommonDir, "hooks", "pre-push"));

        var wiring = Read(global: $"[core]\n\thooksPath = {_dir.Combine("ours")}\n");

        Assert.Equal([new ChainedHook(own, ChainSource.RepositoryHooks)], wiring.ChainedHooks("pre-push"));
    }

    [Fact]
    public void A_git_promote_shim_or_a_file_that_is_not_executable_is_never_chained()
    {
        var theirs = _dir.Combine("theirs");
        Executable(Path.Combine(theirs, "pre-push"), Shims.Text("pre-push")!);
        File.WriteAllText(Path.Combine(_clone.CommonDir, "hooks", "pre-push"), "#!/bin/sh\nexit 1\n");

        var chainedShim = Read(global: $"[core]\n\thooksPath = /opt/ours\n[promote]\n\tchainHooksPath = {theirs}\n");
        var plainFile = Read(global: "[core]\n\thooksPath = /opt/ours\n");

        Assert.Empty(chainedShim.ChainedHooks("pre-push"));
        Assert.Empty(plainFile.ChainedHooks("pre-push"));
    }

    [Fact]
    public void Git_configs_scoped_listing_is_parsed_into_values_with_their_level_and_origin()
    {
        var output = "global\0file:/home/dana/.gitconfig\0core.hookspath\n/opt/hooks\0local\0file:.git/config\0promote.chainhookspath\n\0";

        var values = HookWiring.HookSettings(GitConfig.Parse(output));

        Assert.Equal([
            new ConfigValue("core.hookspath", "/opt/hooks", "global", "file:/home/dana/.gitconfig"),
            new ConfigValue("promote.chainhookspath", "", "local", "file:.git/config"),
        ], values);
    }

    [Fact]
    public void A_shared_folders_binary_pointer_is_its_first_line_and_an_empty_one_is_none()
    {
        var folder = _dir.Combine("shared");
        Directory.CreateDirectory(folder);
        var pointer = Path.Combine(folder, HookWiring.BinaryPointerFile);

        File.WriteAllText(pointer, "  /opt/git-promote/bin/git-promote \nignored\n");
        var named = SharedHooksFolder.ReadBinaryPointer(new SystemFileSystem(), folder);
        File.WriteAllText(pointer, "\n");
        var empty = SharedHooksFolder.ReadBinaryPointer(new SystemFileSystem(), folder);

        Assert.Equal("/opt/git-promote/bin/git-promote", named);
        Assert.Null(empty);
        Assert.Null(SharedHooksFolder.ReadBinaryPointer(new SystemFileSystem(), _dir.Combine("nowhere")));
    }
}
