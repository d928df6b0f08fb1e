using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Install;
using GitPromote.Cli.Tests.Support;

namespace GitPromote.Cli.Tests;

/// <summary>
/// <c>git promote install --server</c> and its undo through fakes: the hooks it writes (runnable, naming the binary),
/// the repository's own pre-receive it keeps, what it refuses to overwrite, and the config it sets and restores.
/// </summary>
public sealed class ServerInstallTests
{
    private const string GitDir = "/srv/git/orders-stg.git";
    private const string Shims = "/opt/git-promote/share/hooks";
    private const string PolicyFile = "/etc/git-promote/orders.yml";
    private const string Hook = GitDir + "/hooks/pre-receive";
    private const string Kept = GitDir + "/hooks/pre-receive.local";
    private const string Confirm = GitDir + "/hooks/reference-transaction";
    private const string Theirs = "#!/bin/sh\necho their own checks\n";

    private readonly HookRun _run = new();

    public ServerInstallTests()
    {
        _run.Bare(GitDir);
        _run.Files.AddExecutable(Shims + "/pre-receive", $"#!/bin/sh\n# {HookChain.ShimMarker}: pre-receive\nbin=''\nexec \"$bin\" hook pre-receive\n");
        _run.Files.WriteAllText(PolicyFile, PolicyYaml.DevThenStg("main"));
    }

    private FakeConfig Config => (FakeConfig)_run.Git.ConfigAt(GitDir, ConfigScope.Local);

    private Task<(int Exit, string Out, string Error)> Install(params string[] more) =>
        _run.RunAsync("", ["install", "--server", "--env", "stg", "--policy", PolicyFile, "--hooks-dir", Shims, .. more]);

    [Fact]
    public async Task Install_writes_both_hooks_runnable_and_naming_this_binary_and_guards_the_repository_as_the_environment()
    {
        var (exit, output, _) = await Install();

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains($"bin={ServerInstall.ShellQuote(InstalledLayout.BinaryPath)}\n", _run.Files.Files[Hook]);
        Assert.Contains("exec \"$bin\" hook reference-transaction", _run.Files.Files[Confirm]);
        Assert.True(_run.Files.IsExecutable(Hook) && _run.Files.IsExecutable(Confirm));
        Assert.Equal("stg", Config.Get("promote.environment"));
        Assert.Equal(PolicyFile, Config.Get("promote.policy"));
        Assert.Equal("true", Config.Get("receive.advertisePushOptions"));
        Assert.Contains($"installed: {Hook} guards this repository as environment 'stg'", output);
        Assert.DoesNotContain(_run.Files.Files.Keys, f => f.Contains(".tmp.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_repository_own_pre_receive_is_refused_without_force_and_nothing_changes()
    {
        _run.Files.AddExecutable(Hook, Theirs);

        var (exit, _, error) = await Install();

        Assert.Equal(ExitCodes.UsageOrPolicy, exit);
        Assert.Equal($"git-promote: {Hook} exists and is not git-promote's.\n"
            + "  with --force it is kept as pre-receive.local and still runs, before the guard, on every push\n", error);
        Assert.Equal(Theirs, _run.Files.Files[Hook]);
        Assert.False(_run.Files.FileExists(Confirm));
        Assert.Empty(Config.Values);
    }

    [Fact]
    public async Task With_force_the_repository_own_pre_receive_is_kept_as_pre_receive_local_and_uninstall_puts_it_back()
    {
        _run.Files.AddExecutable(Hook, Theirs);

        var (installed, output, _) = await Install("--force");

        Assert.Equal(ExitCodes.Ok, installed);
        Assert.Equal(Theirs, _run.Files.Files[Kept]);
        Assert.Contains($"kept the existing hook as {Kept}", output);

        var (uninstalled, said, _) = await _run.RunAsync("", "uninstall", "--server");

        Assert.Equal(ExitCodes.Ok, uninstalled);
        Assert.Equal(Theirs, _run.Files.Files[Hook]);
        Assert.False(_run.Files.FileExists(Kept));
        Assert.False(_run.Files.FileExists(Confirm));
        Assert.Empty(Config.Values);
        Assert.Contains($"restored the repository's own hook: {Hook}", said);
    }

    [Fact]
    public async Task Uninstall_puts_back_the_push_options_setting_the_admin_had()
    {
        Config.Set("receive.advertisePushOptions", "false");

        await Install();
        Assert.Equal("true", Config.Get("receive.advertisePushOptions"));
        await _run.RunAsync("", "uninstall", "--server");

        Assert.Equal("false", Config.Get("receive.advertisePushOptions"));
        Assert.Null(Config.Get("promote.environment"));
    }

    [Fact]
    public async Task A_reference_transaction_hook_that_is_not_git_promotes_is_refused_and_left_alone()
    {
        _run.Files.AddExecutable(Confirm, Theirs);

        var (exit, _, error) = await Install();

        Assert.Equal(ExitCodes.UsageOrPolicy, exit);
        Assert.StartsWith($"git-promote: {Confirm} exists and is not git-promote's\n", error);
        Assert.Equal(Theirs, _run.Files.Files[Confirm]);
        Assert.False(_run.Files.FileExists(Hook));
    }

    [Fact]
    public async Task A_core_hooksPath_is_refused_because_git_would_never_run_the_hooks_folder()
    {
        _run.Bare(GitDir, ("core.hooksPath", "/srv/hooks"));

        var (exit, _, error) = await Install();

        Assert.Equal(ExitCodes.UsageOrPolicy, exit);
        Assert.StartsWith("git-promote: core.hooksPath is set ('/srv/hooks')", error);
        Assert.False(_run.Files.FileExists(Hook));
    }

    [Fact]
    public async Task A_policy_file_without_the_environment_is_refused_before_anything_is_written()
    {
        var (exit, _, error) = await _run.RunAsync("", "install", "--server", "--env", "prd", "--policy", PolicyFile, "--hooks-dir", Shims);

        Assert.Equal(ExitCodes.UsageOrPolicy, exit);
        Assert.StartsWith($"git-promote: --env prd: {PolicyFile} has no such environment\n", error);
        Assert.False(_run.Files.FileExists(Hook));
        Assert.Empty(Config.Values);
    }
}
