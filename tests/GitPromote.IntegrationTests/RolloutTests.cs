using System.Diagnostics;
using System.Text;

namespace GitPromote.IntegrationTests;

/// <summary>
/// Installing org-wide (issue 5): --global/--system, someone else's hooksPath (--force, --chain), shared hooks folders
/// (&lt;hook&gt;.local), the shims under every POSIX shell at hand, CRLF and spaces, upgrading while pushing, and
/// install.ps1 under PowerShell 7. Real git, the sandbox's own HOME and global and system config files.
/// </summary>
[Collection(InstalledCollection.Name)]
public sealed class RolloutTests(InstalledGitPromote installed) : IDisposable
{
    private readonly Sandbox _s = new(installed);

    public void Dispose() => _s.Dispose();

    // ---- 1. --global / --system, someone else's hooksPath, --force / --chain, uninstall ----

    [Theory]
    [InlineData("global")]
    [InlineData("system")]
    public void Install_at_user_or_machine_level_wires_every_clone_and_uninstall_unwires_them(string level)
    {
        var app = UnwiredProject(level);
        var other = Path.Combine(_s.Root, "other");
        _s.Git(_s.Root, "init", "--quiet", other).EnsureOk();

        var install = _s.Promote(_s.Root, "install", "--" + level).EnsureOk();

        Assert.Contains($"core.hooksPath = {installed.HooksDir} ({level} config)", install.Stdout);
        foreach (var clone in new[] { app, other })
            Assert.Equal($"{level}\t{installed.HooksDir}", _s.Git(clone, "config", "--show-scope", "--get", "core.hooksPath").EnsureOk().Stdout.Trim());
        Assert.Contains("push to stg refused", _s.Git(app, "push", "stg", "main").EnsureExit(1).Stderr);

        _s.Promote(_s.Root, "uninstall", "--" + level).EnsureOk();

        Assert.Equal("", Wiring(other));
        _s.Git(app, "push", "stg", "main").EnsureOk();
    }

    [Theory]
    [InlineData("local")]
    [InlineData("global")]
    [InlineData("system")]
    public void Install_refuses_a_hooksPath_someone_else_set_and_offers_force_or_chain(string level)
    {
        var app = UnwiredProject(level);
        _s.Git(app, "config", "--" + level, "core.hooksPath", "/opt/company hooks").EnsureOk();
        var before = Wiring(app);

        var refused = _s.Promote(app, ["install", .. LevelArgs(level)]).EnsureExit(2);

        Assert.Contains("already set to '/opt/company hooks'", refused.Stderr);
        Assert.Contains($"git promote install{string.Concat(LevelArgs(level).Select(a => " " + a))} --chain", refused.Stderr);
        Assert.Contains($"git promote install{string.Concat(LevelArgs(level).Select(a => " " + a))} --force", refused.Stderr);
        Assert.Equal(before, Wiring(app));
    }

    [Theory]
    [InlineData("global", "local")]
    [InlineData("system", "local")]
    [InlineData("system", "global")]
    public void Install_refuses_to_hide_a_hooksPath_someone_else_set_at_a_lower_level(string theirs, string ours)
    {
        var app = UnwiredProject(theirs);
        _s.Git(app, "config", "--" + theirs, "core.hooksPath", "/opt/company-hooks").EnsureOk();
        var before = Wiring(app);

        var refused = _s.Promote(app, ["install", .. LevelArgs(ours)]).EnsureExit(2);

        Assert.Contains($"'/opt/company-hooks' in {theirs} config", refused.Stderr);
        Assert.Contains("would hide those hooks", refused.Stderr);
        Assert.Contains("--chain", refused.Stderr);
        Assert.Contains("--force", refused.Stderr);
        Assert.Equal(before, Wiring(app));
    }

    [Theory]
    [InlineData("local")]
    [InlineData("global")]
    [InlineData("system")]
    public void Chain_runs_their_hook_after_an_allowed_push_with_the_same_arguments_and_input_and_its_exit_code_decides(string level)
    {
        var app = UnwiredProject(level);
        var theirs = Path.Combine(_s.Root, "their hooks");
        Directory.CreateDirectory(theirs);
        var log = Recorder(Path.Combine(theirs, "pre-push"));
        _s.Git(app, "config", "--" + level, "core.hooksPath", theirs).EnsureOk();

        var install = _s.Promote(app, ["install", .. LevelArgs(level), "--chain"]).EnsureOk();
        Assert.Contains($"'{theirs}' runs its hooks too", install.Stdout);

        _s.Git(app, "push", "dev", "main").EnsureOk();
        var ran = File.ReadAllText(log);
        Assert.Contains($"{Path.Combine(theirs, "pre-push")}|dev|{Path.Combine(_s.Root, "dev.git")}|", ran);
        Assert.Contains($"refs/heads/main {Head(app)} refs/heads/main {new string('0', 40)}", ran);

        _s.Git(app, "push", "stg", "main").EnsureExit(1);
        Assert.Equal(ran, File.ReadAllText(log));

        Recorder(Path.Combine(theirs, "pre-push"), exitCode: 7);
        var next = _s.Commit(app, "second");
        var failed = _s.Git(app, "push", "dev", "main");
        Assert.NotEqual(0, failed.ExitCode);
        Assert.NotEqual(next, _s.RemoteRef(Path.Combine(_s.Root, "dev.git"), "refs/heads/main"));
    }

    [Fact]
    public void Chain_set_in_an_included_config_file_or_through_the_environment_still_runs_their_hook()
    {
        // The hook reads its chain settings from the config files itself; where git would follow an include, or take a
        // setting from GIT_CONFIG_COUNT, it must ask git instead and still find them.
        var app = UnwiredProject("global");
        var theirs = Path.Combine(_s.Root, "their hooks");
        Directory.CreateDirectory(theirs);
        var log = Recorder(Path.Combine(theirs, "pre-push"));
        _s.Git(app, "config", "--global", "core.hooksPath", theirs).EnsureOk();
        _s.Promote(app, ["install", "--global", "--chain"]).EnsureOk();
        var chain = _s.Git(app, "config", "--global", "--get", "promote.chainHooksPath").EnsureOk().Stdout.Trim();
        _s.Git(app, "config", "--global", "--unset", "promote.chainHooksPath").EnsureOk();
        var included = Path.Combine(_s.Home, "chain.inc");
        File.WriteAllText(included, $"[promote]\n\tchainHooksPath = {chain}\n");
        _s.Git(app, "config", "--global", "include.path", included).EnsureOk();

        _s.Git(app, "push", "dev", "main").EnsureOk();
        Assert.Contains($"{Path.Combine(theirs, "pre-push")}|dev|", File.ReadAllText(log));

        _s.Git(app, "config", "--global", "--unset", "include.path").EnsureOk();
        File.Delete(log);
        var next = _s.Commit(app, "second");
        // Both at the command level (a chain counts at the level of the hooksPath it stands in for).
        _s.Exec(app, "git", ["push", "dev", "main"], env: new Dictionary<string, string?>
        {
            ["GIT_CONFIG_COUNT"] = "2",
            ["GIT_CONFIG_KEY_0"] = "core.hooksPath",
            ["GIT_CONFIG_VALUE_0"] = installed.HooksDir,
            ["GIT_CONFIG_KEY_1"] = "promote.chainHooksPath",
            ["GIT_CONFIG_VALUE_1"] = chain,
        }).EnsureOk();
        Assert.Contains($"refs/heads/main {next} refs/heads/main", File.ReadAllText(log));
    }

    public static TheoryData<string, string, string> Replacements => new()
    {
        { "local", "local", "--force" },
        { "local", "local", "--chain" },
        { "global", "global", "--force" },
        { "global", "global", "--chain" },
        { "system", "system", "--force" },
        { "system", "system", "--chain" },
        { "global", "local", "--force" },
        { "global", "local", "--chain" },
        { "system", "global", "--chain" },
    };

    [Theory]
    [MemberData(nameof(Replacements))]
    public void Uninstall_puts_back_exactly_what_was_there_value_and_level(string theirs, string ours, string how)
    {
        var app = UnwiredProject(theirs, ours);
        _s.Git(app, "config", "--" + theirs, "core.hooksPath", "~/company-hooks").EnsureOk();
        var before = Wiring(app);

        _s.Promote(app, ["install", .. LevelArgs(ours), how]).EnsureOk();
        Assert.Equal($"{ours}\t{installed.HooksDir}", _s.Git(app, "config", "--show-scope", "--get", "core.hooksPath").Stdout.Trim());
        _s.Promote(app, ["uninstall", .. LevelArgs(ours)]).EnsureOk();

        Assert.Equal(before, Wiring(app));
        Assert.Contains("nothing changed", _s.Promote(app, ["uninstall", .. LevelArgs(ours)]).EnsureOk().Stdout);
    }

    [Fact]
    public void A_clone_install_under_a_user_level_git_promote_install_changes_nothing()
    {
        var app = UnwiredProject("global");
        _s.Promote(app, "install", "--global").EnsureOk();

        var local = _s.Promote(app, "install").EnsureOk();

        Assert.Contains("already installed through global config", local.Stdout);
        Assert.Equal($"global\t{installed.HooksDir}", _s.Git(app, "config", "--show-scope", "--get", "core.hooksPath").Stdout.Trim());
        Assert.DoesNotContain("local", Wiring(app));
    }

    // ---- 2. chaining to the hooks a clone or a shared folder already had ----

    [Fact]
    public void Installing_into_a_shared_folder_keeps_its_hook_as_local_runs_it_after_the_guard_and_uninstall_restores_it()
    {
        var app = UnwiredProject("global");
        var company = Path.Combine(_s.Root, "company hooks");
        Directory.CreateDirectory(company);
        var log = Recorder(Path.Combine(company, "pre-push"));
        var theirText = File.ReadAllText(Path.Combine(company, "pre-push"));
        _s.Git(app, "config", "--global", "core.hooksPath", company).EnsureOk();
        var before = Wiring(app);

        var install = _s.Promote(app, "install", "--global", "--hooks-dir", company).EnsureOk();

        Assert.Contains("kept the folder's own pre-push as pre-push.local", install.Stdout);
        Assert.Equal(theirText, File.ReadAllText(Path.Combine(company, "pre-push.local")));
        Assert.Equal(File.ReadAllText(Path.Combine(installed.HooksDir, "pre-push")), File.ReadAllText(Path.Combine(company, "pre-push")));
        Assert.Equal(before, Wiring(app));

        _s.Git(app, "push", "dev", "main").EnsureOk();
        var ran = File.ReadAllText(log);
        Assert.Contains($"{Path.Combine(company, "pre-push.local")}|dev|{Path.Combine(_s.Root, "dev.git")}|", ran);
        Assert.Contains($"refs/heads/main {Head(app)} refs/heads/main", ran);
        Assert.Contains("push to stg refused", _s.Git(app, "push", "stg", "main").EnsureExit(1).Stderr);
        Assert.Equal(ran, File.ReadAllText(log));

        _s.Promote(app, "uninstall", "--global", "--hooks-dir", company).EnsureOk();

        Assert.Equal(theirText, File.ReadAllText(Path.Combine(company, "pre-push")));
        Assert.Equal(new[] { "pre-push" }, Directory.GetFiles(company).Select(Path.GetFileName));
        Assert.Equal(before, Wiring(app));
    }

    [Fact]
    public void Pointing_a_clone_at_a_new_shared_folder_creates_it_and_uninstall_unwires_without_emptying_it()
    {
        var app = UnwiredProject("local");
        var shared = Path.Combine(_s.Root, "new shared");

        _s.Promote(app, "install", "--hooks-dir", shared).EnsureOk();

        Assert.Equal(shared, _s.Git(app, "config", "core.hooksPath").Stdout.Trim());
        Assert.Equal(installed.BinaryPath, File.ReadAllText(Path.Combine(shared, ".git-promote-bin")).Trim());
        Assert.Contains("push to stg refused", _s.Git(app, "push", "stg", "main").EnsureExit(1).Stderr);

        _s.Promote(app, "uninstall").EnsureOk();

        Assert.Equal("", Wiring(app));
        Assert.True(File.Exists(Path.Combine(shared, "pre-push")));
    }

    [Fact]
    public void Installing_into_a_shared_folder_again_refreshes_an_outdated_shim_and_leaves_a_current_one()
    {
        var app = UnwiredProject("local");
        var shared = Path.Combine(_s.Root, "shared");
        _s.Promote(app, "install", "--hooks-dir", shared).EnsureOk();
        var shim = Path.Combine(shared, "pre-push");
        File.WriteAllText(shim, "#!/bin/sh\n# git-promote-shim: an older version\nexit 0\n");

        var refreshed = _s.Promote(app, "install", "--hooks-dir", shared).EnsureOk();
        var again = _s.Promote(app, "install", "--hooks-dir", shared).EnsureOk();

        Assert.Contains("pre-push: git-promote's shim updated", refreshed.Stdout);
        Assert.Contains("pre-push: git-promote's shim, already current", again.Stdout);
        Assert.Equal(File.ReadAllText(Path.Combine(installed.HooksDir, "pre-push")), File.ReadAllText(shim));
        Assert.False(File.Exists(shim + ".local"));
    }

    [Fact]
    public void A_shared_folder_with_both_a_hook_and_its_local_twin_is_refused_and_left_alone()
    {
        var app = UnwiredProject("local");
        var company = Path.Combine(_s.Root, "company");
        Directory.CreateDirectory(company);
        Recorder(Path.Combine(company, "pre-push"));
        Recorder(Path.Combine(company, "pre-push.local"));

        var refused = _s.Promote(app, "install", "--hooks-dir", company).EnsureExit(2);

        Assert.Contains("both exist", refused.Stderr);
        Assert.Equal(new[] { "pre-push", "pre-push.local" }, Directory.GetFiles(company).Select(Path.GetFileName).Order());
        Assert.Equal("", Wiring(app));
    }

    [Fact]
    public void The_clones_own_hook_runs_only_after_an_allowed_push_and_its_failure_fails_the_push()
    {
        var app = _s.Project();
        var log = Recorder(Path.Combine(app, ".git", "hooks", "pre-push"), exitCode: 5);

        var refused = _s.Git(app, "push", "stg", "main").EnsureExit(1);
        Assert.False(File.Exists(log));

        var failed = _s.Git(app, "push", "dev", "main");
        Assert.NotEqual(0, failed.ExitCode);
        Assert.True(File.Exists(log));
        Assert.Equal("", _s.RemoteRef(Path.Combine(_s.Root, "dev.git"), "refs/heads/main"));
        Assert.Contains("push to stg refused", refused.Stderr);
    }

    // ---- 3. the shims under Git for Windows' sh and friends: POSIX only, LF, spaces ----

    /// <summary>dash is required (it is Debian's and Ubuntu's /bin/sh); the others are checked where installed.</summary>
    public static TheoryData<string> PosixShells()
    {
        var shells = new TheoryData<string> { "dash" };
        foreach (var shell in new[] { "posh", "busybox", "mksh", "bash" })
            if (FindOnPath(shell) is not null) shells.Add(shell);
        return shells;
    }

    public static TheoryData<string> ShimCheckers()
    {
        var checkers = PosixShells();
        if (FindOnPath("checkbashisms") is not null) checkers.Add("checkbashisms");
        return checkers;
    }

    [Theory]
    [MemberData(nameof(ShimCheckers))]
    public void The_shims_are_plain_POSIX_sh(string checker)
    {
        foreach (var shim in Directory.GetFiles(Path.Combine(TestSupport.RepositoryRoot.Path, "hooks")))
        {
            var (program, args) = Shell(checker);
            var mode = checker == "checkbashisms" ? "--posix" : "-n";
            var check = _s.Exec(_s.Root, program, [.. args, mode, shim]);
            Assert.True(check.ExitCode == 0 && check.Stderr.Trim() == "", $"{checker} on {shim}: exit {check.ExitCode}\n{check.Output}");
        }
    }

    [Theory]
    [MemberData(nameof(PosixShells))]
    public void The_shim_guards_chains_and_fails_closed_under_each_POSIX_shell(string shell)
    {
        var app = UnwiredProject("local");
        var shared = Path.Combine(_s.Root, "shared hooks");
        Directory.CreateDirectory(shared);
        var log = Recorder(Path.Combine(shared, "pre-push"));
        _s.Promote(app, "install", "--hooks-dir", shared).EnsureOk();
        var (program, args) = Shell(shell);
        var shim = Path.Combine(shared, "pre-push");
        var text = File.ReadAllText(shim);
        File.WriteAllText(shim, $"#!{program}{string.Concat(args.Select(a => " " + a))}" + text[text.IndexOf('\n')..]);

        // With the binary: the guard decides, then the folder's own hook runs.
        Assert.Contains("push to stg refused", _s.Git(app, "push", "stg", "main").EnsureExit(1).Stderr);
        Assert.False(File.Exists(log));
        _s.Git(app, "push", "dev", "main").EnsureOk();
        Assert.Contains($"pre-push.local|dev|{Path.Combine(_s.Root, "dev.git")}|", File.ReadAllText(log));

        // Without it: refused where a policy asks for the guard, chained (same arguments and input) elsewhere.
        File.WriteAllText(Path.Combine(shared, ".git-promote-bin"), Path.Combine(_s.Root, "gone", "git-promote") + "\n");
        var noPromote = new Dictionary<string, string?> { ["PATH"] = "/usr/bin:/bin" };
        var refused = _s.Exec(app, "git", ["push", "stg", "main"], env: noPromote);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("git-promote program is missing", refused.Stderr);

        var plain = Path.Combine(_s.Root, "plain");
        _s.Git(_s.Root, "init", "--quiet", plain).EnsureOk();
        _s.Git(plain, "config", "core.hooksPath", shared).EnsureOk();
        _s.Git(plain, "remote", "add", "dev", _s.Bare("plain-dev")).EnsureOk();
        var commit = _s.Commit(plain, "unguarded");
        File.Delete(log);
        _s.Exec(plain, "git", ["push", "dev", "main"], env: noPromote).EnsureOk();
        var ran = File.ReadAllText(log);
        Assert.Contains($"pre-push.local|dev|{Path.Combine(_s.Root, "plain-dev.git")}|", ran);
        Assert.Contains($"refs/heads/main {commit} refs/heads/main", ran);
    }

    [Fact]
    public void Shims_and_install_scripts_are_checked_out_with_LF_whatever_autocrlf_says()
    {
        var root = TestSupport.RepositoryRoot.Path;
        var paths = Directory.GetFiles(Path.Combine(root, "hooks")).Select(p =>
            Path.GetRelativePath(root, p)).Concat(["install.sh", "release.sh", "test.sh", ".ci/run"]).ToArray();

        var attributes = _s.Git(root, ["check-attr", "eol", "--", .. paths]).EnsureOk().Stdout;

        foreach (var path in paths) Assert.Contains($"{path}: eol: lf", attributes);
    }

    public static TheoryData<string> Installers => new() { "install.sh", "install.ps1" };

    [Theory]
    [MemberData(nameof(Installers))]
    public void The_installers_write_LF_shims_from_a_CRLF_checkout_into_a_prefix_with_spaces_that_pushes_work_through(string installer)
    {
        var source = SourceCopy(crlfHooks: true);
        var prefix = Path.Combine(_s.Root, "Program Files", "git promote");
        var builds = FakeDotnet();

        var run = RunInstaller(installer, source, prefix, builds.Path).EnsureOk();

        Assert.Equal(new[] { ExpectedRid() }, File.ReadAllLines(builds.Log));
        if (installer == "install.sh")
        {
            // It says what it is doing while the build runs, then how long it took.
            Assert.Contains($"building git-promote for {ExpectedRid()} (Native AOT, about a minute)...", run.Stdout);
            Assert.Matches(@"\n  GitPromote.Cli -> .*\nbuilt in \d+s\n", run.Stdout);
            Assert.Matches($@"installed git-promote \S+ \(commit \w+\) in {System.Text.RegularExpressions.Regex.Escape(prefix)} \(\d+s in all\)", run.Stdout);
        }
        // The same shims as test.sh's installation (release.sh's layout): the guard's, the library, a pass-through per hook name.
        var hooks = Path.Combine(prefix, "share", "git-promote", "hooks");
        Assert.Equal(Directory.GetFiles(installed.HooksDir).Select(Path.GetFileName).Order(), Directory.GetFiles(hooks).Select(Path.GetFileName).Order());
        Assert.Contains("pre-commit", Directory.GetFiles(hooks).Select(Path.GetFileName));
        foreach (var file in Directory.GetFiles(installed.HooksDir))
        {
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(hooks, Path.GetFileName(file))));
            if (!OperatingSystem.IsWindows())
                Assert.NotEqual(UnixFileMode.None, File.GetUnixFileMode(Path.Combine(hooks, Path.GetFileName(file))) & UnixFileMode.UserExecute);
        }
        PushThrough(prefix);
    }

    // ---- 4. upgrading while pushes run ----

    [Fact]
    public async Task Reinstalling_while_pushing_never_lets_a_push_see_a_missing_or_half_written_file()
    {
        var source = SourceCopy(crlfHooks: false);
        var prefix = Path.Combine(_s.Root, "up grade");
        var builds = FakeDotnet();
        RunInstaller("install.sh", source, prefix, builds.Path).EnsureOk();
        var app = _s.Project();
        _s.Exec(app, Path.Combine(prefix, "bin", "git-promote"), ["install"]).EnsureOk();
        var log = Recorder(Path.Combine(app, ".git", "hooks", "pre-push"));
        var onlyThisInstall = new Dictionary<string, string?> { ["PATH"] = "/usr/bin:/bin" };

        const int reinstalls = 8;
        var installs = Task.Run(() => Enumerable.Range(0, reinstalls).Select(_ => RunInstaller("install.sh", source, prefix, builds.Path)).ToList());
        var pushes = new List<Run>();
        var clock = Stopwatch.StartNew();
        while ((!installs.IsCompleted || pushes.Count < 10) && clock.Elapsed < TimeSpan.FromSeconds(150))
            pushes.Add(_s.Exec(app, "git", ["push", "--quiet", "dev", $"HEAD:refs/heads/during-upgrade-{pushes.Count}"], env: onlyThisInstall));

        var reinstalled = await installs.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.All(reinstalled, r => r.EnsureOk());
        Assert.Equal(reinstalls + 1, File.ReadAllLines(builds.Log).Length);
        Assert.True(pushes.Count >= 10, $"only {pushes.Count} pushes ran");
        Assert.All(pushes, p => p.EnsureOk());
        // Every push ran the hook: none slipped through while a shim was being replaced.
        Assert.Equal(pushes.Count, File.ReadAllText(log).Split("|dev|").Length - 1);
    }

    // ---- 5. install.ps1 under PowerShell 7, for real ----

    [Fact]
    public void Install_ps1_builds_and_installs_a_working_guard_and_uninstall_removes_it()
    {
        var prefix = Path.Combine(_s.Root, "Program Files", "git promote");
        var realHome = new Dictionary<string, string?> { ["HOME"] = System.Environment.GetEnvironmentVariable("HOME") };

        // A real build: incremental after test.sh's install.sh, but give a busy machine time.
        var install = _s.Exec(_s.Root, PowerShell(),
            ["-NoLogo", "-NoProfile", "-File", Path.Combine(TestSupport.RepositoryRoot.Path, "install.ps1"), "-Prefix", prefix],
            env: realHome, timeout: TimeSpan.FromMinutes(8)).EnsureOk();

        Assert.Contains($"building git-promote for {ExpectedRid()} (Native AOT)", install.Stdout);
        Assert.Contains($"{Path.Combine(prefix, "bin")} is not on your PATH", install.Stdout);
        var version = _s.Exec(_s.Root, Path.Combine(prefix, "bin", "git-promote"), ["--version"]).EnsureOk().Stdout;
        Assert.Equal(_s.Promote(_s.Root, "--version").Stdout, version);
        PushThrough(prefix);

        var uninstall = _s.Exec(_s.Root, PowerShell(),
            ["-NoLogo", "-NoProfile", "-File", Path.Combine(TestSupport.RepositoryRoot.Path, "install.ps1"), "-Uninstall", "-Prefix", prefix],
                env: realHome).EnsureOk();

        Assert.Contains($"git-promote removed from {prefix}", uninstall.Stdout);
        Assert.False(File.Exists(Path.Combine(prefix, "bin", "git-promote")));
        Assert.False(Directory.Exists(Path.Combine(prefix, "share", "git-promote")));
        Assert.Empty(Directory.GetFiles(Path.Combine(prefix, "bin"), "libgit2-*"));
    }

    // ---- helpers ----

    /// <summary>The standard project with its remotes and policy, not wired (so each test wires it its own way).</summary>
    private string UnwiredProject(params string[] levels)
    {
        if (levels.Contains("system")) _s.UseSystemConfig();
        var app = _s.Project();
        _s.Promote(app, "uninstall").EnsureOk();
        return app;
    }

    private static string[] LevelArgs(string level) => level == "local" ? [] : ["--" + level];

    /// <summary>Every hooksPath and promote.* setting with its level, as git reports them.</summary>
    private string Wiring(string clone) =>
        _s.Git(clone, "config", "--show-scope", "--get-regexp", @"^(core\.hookspath|promote\..*)$").Stdout;

    private string Head(string repo) => _s.Git(repo, "rev-parse", "HEAD").EnsureOk().Stdout.Trim();

    /// <summary>A hook that appends "its path|its arguments|" and its input to a log beside the sandbox, then exits.</summary>
    private string Recorder(string hookPath, int exitCode = 0)
    {
        var log = Path.Combine(_s.Root, "ran-" + Path.GetFileName(Path.GetDirectoryName(hookPath)!).Replace(' ', '_') + ".log");
        Sandbox.WriteScript(hookPath, $"#!/bin/sh\nprintf '%s|' \"$0\" \"$@\" >> '{log}'\necho >> '{log}'\ncat >> '{log}'\nexit {exitCode}\n");
        return log;
    }

    private static (string Program, string[] Args) Shell(string name) => name switch
    {
        "busybox" => (FindOnPath("busybox")!, ["sh"]),
        "bash" => (FindOnPath("bash")!, ["--posix"]),
        _ => (FindOnPath(name) ?? throw new Xunit.Sdk.XunitException($"{name} is not installed"), []),
    };

    private static string? FindOnPath(string program) =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program)).FirstOrDefault(File.Exists);

    /// <summary>pwsh on PATH or where `dotnet tool install --global PowerShell` puts it; its absence fails the test.</summary>
    private static string PowerShell()
    {
        var tool = Path.Combine(System.Environment.GetEnvironmentVariable("HOME") ?? "/nonexistent", ".dotnet", "tools", "pwsh");
        return FindOnPath("pwsh") ?? (File.Exists(tool) ? tool : throw new Xunit.Sdk.XunitException(
            "PowerShell 7 (pwsh) is needed for the install.ps1 tests: dotnet tool install --global PowerShell --version 7.6.9 (.ci/run does this)"));
    }

    private static string ExpectedRid() => System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier;

    /// <summary>The installers and shims in a folder of their own, optionally with the shims saved CRLF with a BOM as a Windows editor might.</summary>
    private string SourceCopy(bool crlfHooks)
    {
        var root = TestSupport.RepositoryRoot.Path;
        var copy = Path.Combine(_s.Root, "source tree");
        Directory.CreateDirectory(Path.Combine(copy, "hooks"));
        foreach (var script in new[] { "install.sh", "install.ps1" })
        {
            File.Copy(Path.Combine(root, script), Path.Combine(copy, script));
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Path.Combine(copy, script), File.GetUnixFileMode(Path.Combine(root, script)));
        }
        foreach (var hook in Directory.GetFiles(Path.Combine(root, "hooks")))
        {
            var text = File.ReadAllText(hook);
            var target = Path.Combine(copy, "hooks", Path.GetFileName(hook));
            if (crlfHooks) File.WriteAllText(target, text.Replace("\n", "\r\n"), new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
            else File.WriteAllText(target, text);
        }
        return copy;
    }

    /// <summary>
    /// A `dotnet` that "publishes" by copying the already built binary (the installers' file handling is what these tests
    /// are about; the real build is covered by test.sh's install and the install.ps1 test). It logs the RID asked for.
    /// </summary>
    private (string Path, string Log) FakeDotnet()
    {
        var dir = Path.Combine(_s.Root, "fake dotnet");
        Directory.CreateDirectory(dir);
        var log = Path.Combine(dir, "builds.log");
        var bin = Path.Combine(installed.Prefix, "bin");
        // Anything but `publish` goes to the real dotnet: a pwsh installed as a dotnet tool is started through it.
        var realDotnet = FindOnPath("dotnet") ?? throw new Xunit.Sdk.XunitException("dotnet is not on PATH");
        Sandbox.WriteScript(Path.Combine(dir, "dotnet"), $"""
            #!/bin/sh
            [ "$1" = publish ] || exec '{realDotnet}' "$@"
            out=; rid=
            while [ $# -gt 0 ]; do case "$1" in -o) out=$2; shift 2 ;; -r) rid=$2; shift 2 ;; *) shift ;; esac; done
            echo "$rid" >> '{log}'
            mkdir -p "$out" && cp '{bin}'/git-promote '{bin}'/libgit2-* "$out"/
            echo "GitPromote.Cli -> $out/"
            """);
        return (dir + ":" + System.Environment.GetEnvironmentVariable("PATH"), log);
    }

    private Run RunInstaller(string installer, string source, string prefix, string path)
    {
        var env = new Dictionary<string, string?> { ["PATH"] = path, ["HOME"] = System.Environment.GetEnvironmentVariable("HOME") };
        return installer == "install.sh"
            ? _s.Exec(source, Path.Combine(source, "install.sh"), ["--prefix", prefix], env: env)
            : _s.Exec(source, PowerShell(), ["-NoLogo", "-NoProfile", "-File", Path.Combine(source, "install.ps1"), "-Prefix", prefix], env: env);
    }

    /// <summary>Wires a fresh project with the binary under <paramref name="prefix"/> alone and pushes through it: guarded and allowed.</summary>
    private void PushThrough(string prefix)
    {
        var app = _s.Project();
        var onlyThisInstall = new Dictionary<string, string?> { ["PATH"] = "/usr/bin:/bin" };
        _s.Exec(app, Path.Combine(prefix, "bin", "git-promote"), ["install"], env: onlyThisInstall).EnsureOk();
        Assert.Equal(Path.Combine(prefix, "share", "git-promote", "hooks"), _s.Git(app, "config", "core.hooksPath").Stdout.Trim());

        var refused = _s.Exec(app, "git", ["push", "stg", "main"], env: onlyThisInstall).EnsureExit(1);
        Assert.Contains("push to stg refused", refused.Stderr);
        _s.Exec(app, "git", ["push", "dev", "main"], env: onlyThisInstall).EnsureOk();
        _s.Exec(app, Path.Combine(prefix, "bin", "git-promote"), ["record", "dev"], env: onlyThisInstall).EnsureOk();
        _s.Exec(app, "git", ["push", "stg", "main"], env: onlyThisInstall).EnsureOk();
        Assert.Equal(Head(app), _s.RemoteRef(Path.Combine(_s.Root, "stg.git"), "refs/heads/main"));
    }
}
