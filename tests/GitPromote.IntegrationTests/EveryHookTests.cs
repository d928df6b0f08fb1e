namespace GitPromote.IntegrationTests;

/// <summary>
/// Installing the guard silences no other hook (issue 29): core.hooksPath hides every other hooks folder from git, so
/// the installed folder holds a pass-through hook under every name git runs from it, which runs the hook it hides (the
/// clone's own, or the chained folder's) with the same arguments, input and exit status. Also: an installation's
/// folder that a hook manager wrote into is repaired by install, and doctor and uninstall tell the truth about a
/// core.hooksPath someone else took back. Real git, the installed shims, the sandbox's own config levels.
/// </summary>
[Collection(InstalledCollection.Name)]
public sealed class EveryHookTests(InstalledGitPromote installed) : IDisposable
{
    private readonly Sandbox _s = new(installed);

    public void Dispose() => _s.Dispose();

    /// <summary>The hook names the pass-through hook lists (hooks/pass-through, its "# hooks:" lines).</summary>
    public static string[] PassThroughNames { get; } = [.. File.ReadAllLines(Path.Combine(TestSupport.RepositoryRoot.Path, "hooks", "pass-through"))
        .Where(l => l.StartsWith("# hooks: ", StringComparison.Ordinal))
        .SelectMany(l => l["# hooks: ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries))];

    /// <summary>Every hook name git runs from a hooks folder (githooks(5)), less the guard's own and the per-ref ones.</summary>
    private static readonly string[] GitHookNames =
    [
        "applypatch-msg", "pre-applypatch", "post-applypatch", "pre-commit", "pre-merge-commit", "prepare-commit-msg", "commit-msg",
        "post-commit", "pre-rebase", "post-checkout", "post-merge", "post-receive", "post-update", "push-to-checkout", "proc-receive",
        "pre-auto-gc", "post-rewrite", "sendemail-validate", "post-index-change", "p4-changelist", "p4-prepare-changelist",
        "p4-post-changelist", "p4-pre-submit",
    ];

    [Fact]
    public void The_pass_through_hook_lists_every_hook_name_git_runs_from_a_hooks_folder()
    {
        Assert.Equal(GitHookNames.Order(), PassThroughNames.Order());
    }

    [Theory]
    [InlineData("local")]
    [InlineData("global")]
    public void Every_hook_name_runs_the_clones_own_hook_after_install_with_the_same_arguments_input_and_exit_status(string level)
    {
        var app = Unwired(level);
        var log = Path.Combine(_s.Root, "own.log");
        foreach (var hook in GitHookNames) Recorder(Path.Combine(app, ".git", "hooks", hook), log, exitCode: 3);

        _s.Promote(app, ["install", .. LevelArgs(level)]).EnsureOk();

        foreach (var hook in GitHookNames)
        {
            var shim = Path.Combine(installed.HooksDir, hook);
            Assert.True(File.Exists(shim), $"the installed hooks folder has no {hook}: git runs nothing of that name");
            var run = _s.Exec(app, shim, ["first arg", "second"], stdin: $"input of {hook}\n");
            Assert.Equal(3, run.ExitCode);
            // As git itself names a hook of .git/hooks: relative to the top of the work tree, where it runs.
            Assert.Contains($".git/hooks/{hook}|first arg|second|\ninput of {hook}\n", File.ReadAllText(log));
        }
    }

    [Theory]
    [InlineData("local")]
    [InlineData("global")]
    public void A_commit_runs_the_clones_own_commit_hooks_through_git_after_install(string level)
    {
        var app = Unwired(level);
        var log = Path.Combine(_s.Root, "own.log");
        foreach (var hook in new[] { "pre-commit", "prepare-commit-msg", "commit-msg", "post-commit", "post-checkout" })
            Recorder(Path.Combine(app, ".git", "hooks", hook), log);
        _s.Promote(app, ["install", .. LevelArgs(level)]).EnsureOk();

        _s.Commit(app, "linted");
        _s.Git(app, "checkout", "-q", "-b", "topic").EnsureOk();

        var ran = File.ReadAllText(log);
        foreach (var hook in new[] { "pre-commit", "prepare-commit-msg", "commit-msg", "post-commit", "post-checkout" })
            Assert.Contains($".git/hooks/{hook}|", ran);
        Assert.Contains("|.git/COMMIT_EDITMSG|", ran);

        // A pre-commit that fails still stops the commit.
        Recorder(Path.Combine(app, ".git", "hooks", "pre-commit"), log, exitCode: 1);
        File.WriteAllText(Path.Combine(app, "refused.txt"), "no\n");
        _s.Git(app, "add", "refused.txt").EnsureOk();
        Assert.NotEqual(0, _s.Git(app, "commit", "-q", "-m", "refused").ExitCode);
    }

    [Theory]
    [InlineData("local")]
    [InlineData("global")]
    [InlineData("system")]
    public void With_chain_every_hook_name_runs_the_chained_folders_hook_and_not_the_clones_own(string level)
    {
        var app = Unwired(level);
        var theirs = Path.Combine(_s.Root, "their hooks");
        Directory.CreateDirectory(theirs);
        var log = Path.Combine(_s.Root, "theirs.log");
        var ownLog = Path.Combine(_s.Root, "own.log");
        foreach (var hook in GitHookNames)
        {
            Recorder(Path.Combine(theirs, hook), log, exitCode: 4);
            Recorder(Path.Combine(app, ".git", "hooks", hook), ownLog);
        }
        _s.Git(app, "config", "--" + level, "core.hooksPath", theirs).EnsureOk();

        _s.Promote(app, ["install", .. LevelArgs(level), "--chain"]).EnsureOk();

        foreach (var hook in GitHookNames)
        {
            var shim = Path.Combine(installed.HooksDir, hook);
            Assert.True(File.Exists(shim), $"the installed hooks folder has no {hook}");
            var run = _s.Exec(app, shim, ["x", "y z"], stdin: $"to {hook}\n");
            Assert.Equal(4, run.ExitCode);
            Assert.Contains($"{Path.Combine(theirs, hook)}|x|y z|\nto {hook}\n", File.ReadAllText(log));
        }
        Assert.False(File.Exists(ownLog));
        // And through git itself.
        File.Delete(log);
        foreach (var hook in GitHookNames) Recorder(Path.Combine(theirs, hook), log);
        _s.Commit(app, "chained");
        Assert.Contains(Path.Combine(theirs, "commit-msg") + "|.git/COMMIT_EDITMSG|", File.ReadAllText(log));
        Assert.Contains(Path.Combine(theirs, "post-commit") + "|", File.ReadAllText(log));
    }

    [Fact]
    public void A_pass_through_with_nothing_to_run_lets_git_go_on_and_a_push_with_updateInstead_still_updates_the_work_tree()
    {
        var app = Unwired("global");
        _s.Promote(app, "install", "--global").EnsureOk();
        var target = Path.Combine(_s.Root, "deployed");
        _s.Git(_s.Root, "clone", "--quiet", app, target).EnsureOk();
        _s.Git(target, "config", "receive.denyCurrentBranch", "updateInstead").EnsureOk();
        var next = _s.Commit(app, "to deploy");

        _s.Git(app, "push", "--quiet", target, "main").EnsureOk();

        Assert.Equal(next, _s.Git(target, "rev-parse", "HEAD").EnsureOk().Stdout.Trim());
        Assert.True(File.Exists(Path.Combine(target, $"file{2}.txt")), "the work tree was not updated");
        // A dirty work tree is refused, as git refuses it without the hook.
        File.WriteAllText(Path.Combine(target, "file2.txt"), "changed there\n");
        _s.Commit(app, "not deployed");
        var refused = _s.Git(app, "push", target, "main");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("unstaged changes", refused.Stderr);
    }

    [Fact]
    public void A_pass_through_hook_reads_the_chain_from_git_config_files_without_starting_git_unless_only_git_can_tell()
    {
        var app = Unwired("global");
        _s.Promote(app, "install", "--global").EnsureOk();
        var theirs = Path.Combine(_s.Root, "theirs");
        var log = Path.Combine(_s.Root, "theirs.log");
        Recorder(Path.Combine(theirs, "post-commit"), log);
        // A git that logs every start, first on PATH: the hook must not need it.
        var fake = Path.Combine(_s.Root, "fake-git");
        Directory.CreateDirectory(fake);
        var started = Path.Combine(_s.Root, "git-started.log");
        var realGit = _s.Exec(_s.Root, "sh", ["-c", "command -v git"]).EnsureOk().Stdout.Trim();
        Sandbox.WriteScript(Path.Combine(fake, "git"), $"#!/bin/sh\necho \"$*\" >> '{started}'\nexec '{realGit}' \"$@\"\n");
        var path = new Dictionary<string, string?> { ["PATH"] = fake + ":/usr/bin:/bin" };
        var hook = Path.Combine(installed.HooksDir, "post-commit");

        // Nothing to run (the clone's config has [remote "dev"] and [branch] sections, the user's a [protocol "file"] one).
        _s.Exec(app, hook, [], env: path).EnsureOk();
        Assert.False(File.Exists(started), File.Exists(started) ? File.ReadAllText(started) : "");
        // A chain at the user's level, as install --chain writes it: read from the file, and run.
        _s.Git(app, "config", "--global", "promote.chainHooksPath", theirs).EnsureOk();
        _s.Exec(app, hook, [], env: path).EnsureOk();
        Assert.False(File.Exists(started), File.Exists(started) ? File.ReadAllText(started) : "");
        Assert.Contains(Path.Combine(theirs, "post-commit") + "|", File.ReadAllText(log));
        // Only git follows an include: then it is asked, and the chain it names runs.
        _s.Git(app, "config", "--global", "--unset", "promote.chainHooksPath").EnsureOk();
        File.WriteAllText(Path.Combine(_s.Home, "chain.inc"), $"[promote]\n\tchainHooksPath = {theirs}\n");
        _s.Git(app, "config", "--global", "include.path", Path.Combine(_s.Home, "chain.inc")).EnsureOk();
        File.Delete(log);
        _s.Exec(app, hook, [], env: path).EnsureOk();
        Assert.Contains("config --show-scope --get-regexp", File.ReadAllText(started));
        Assert.Contains(Path.Combine(theirs, "post-commit") + "|", File.ReadAllText(log));
    }

    [Fact]
    public void Install_and_doctor_say_which_hooks_of_the_clone_run_from_where_and_which_per_ref_hook_does_not()
    {
        var app = Unwired("local");
        var log = Path.Combine(_s.Root, "own.log");
        Recorder(Path.Combine(app, ".git", "hooks", "commit-msg"), log);
        Recorder(Path.Combine(app, ".git", "hooks", "reference-transaction"), log);

        var install = _s.Promote(app, "install").EnsureOk();
        var doctor = _s.Promote(app, "doctor");

        Assert.Contains($"{Path.Combine(app, ".git", "hooks", "reference-transaction")} does not run", install.Stdout);
        Assert.Matches($@"ok\s+hooks\s+commit-msg\s+runs {System.Text.RegularExpressions.Regex.Escape(Path.Combine(app, ".git", "hooks", "commit-msg"))}",
            doctor.Stdout);
        Assert.Matches(@"warn\s+hooks\s+reference-transaction\s+.* does not run", doctor.Stdout);
    }

    // ---- a hook manager that writes into the installation's folder (lefthook install --force) ----

    [Fact]
    public void An_installation_folder_a_hook_manager_wrote_into_is_repaired_by_install_and_doctor_says_so()
    {
        var prefix = PrivateInstallation();
        var promote = Path.Combine(prefix, "bin", "git-promote");
        var hooks = Path.Combine(prefix, "share", "git-promote", "hooks");
        var app = Unwired("global");
        _s.Exec(app, promote, ["install", "--global"]).EnsureOk();
        // What lefthook install --force does to it (the real lefthook does the same in HookManagerTests).
        File.Move(Path.Combine(hooks, "pre-push"), Path.Combine(hooks, "pre-push.old"));
        Sandbox.WriteScript(Path.Combine(hooks, "pre-push"), "#!/bin/sh\necho their pre-push\n");
        Sandbox.WriteScript(Path.Combine(hooks, "pre-commit"), "#!/bin/sh\necho their pre-commit\n");
        Sandbox.WriteScript(Path.Combine(hooks, "post-merge-extra"), "#!/bin/sh\n");
        _s.Git(app, "push", "stg", "main").EnsureOk();

        var doctor = _s.Exec(app, promote, ["doctor"]);
        Assert.Contains("its pre-push is not git-promote's", doctor.Stdout);
        Assert.Matches(@"what to do: git promote install \(puts git-promote's hooks back", doctor.Stdout);

        var repair = _s.Exec(app, promote, ["install", "--global"]).EnsureOk();

        Assert.Contains($"repaired git-promote's hooks folder {hooks}", repair.Stdout);
        Assert.Contains("pre-push: git-promote's again; the file that stood there is kept as pre-push.displaced", repair.Stdout);
        Assert.Contains("pre-push.old: an old copy of git-promote's hook, removed", repair.Stdout);
        Assert.Contains("not git-promote's: post-merge-extra, pre-commit.displaced, pre-push.displaced", repair.Stdout);
        Assert.Equal(File.ReadAllText(Path.Combine(installed.HooksDir, "pre-push")), File.ReadAllText(Path.Combine(hooks, "pre-push")));
        Assert.Equal(File.ReadAllText(Path.Combine(installed.HooksDir, "pre-commit")), File.ReadAllText(Path.Combine(hooks, "pre-commit")));
        var next = _s.Commit(app, "second");
        Assert.Contains("push to stg refused", _s.Git(app, "push", "stg", "main").EnsureExit(1).Stderr);
        Assert.NotEqual(next, _s.RemoteRef(Path.Combine(_s.Root, "stg.git"), "refs/heads/main"));
        Assert.DoesNotContain("FAIL  hooks", _s.Exec(app, promote, ["doctor"]).Stdout);
    }

    // ---- core.hooksPath taken back by someone else (husky on npm install) ----

    [Fact]
    public void Uninstall_after_someone_else_took_core_hooksPath_back_removes_git_promotes_settings_and_leaves_theirs()
    {
        var app = Unwired("local");
        _s.Git(app, "config", "core.hooksPath", ".husky/_").EnsureOk();
        _s.Promote(app, "install", "--chain").EnsureOk();
        _s.Git(app, "config", "core.hooksPath", ".husky/_").EnsureOk();

        var uninstall = _s.Promote(app, "uninstall").EnsureOk();

        Assert.Contains("core.hooksPath is '.husky/_' (this clone), set by someone else since git-promote installed", uninstall.Stdout);
        Assert.Equal("local\tcore.hookspath .husky/_\n", _s.Git(app, "config", "--show-scope", "--get-regexp", @"^(core\.hookspath|promote\..*)$").Stdout);
    }

    [Fact]
    public void Install_for_the_user_inside_a_clone_with_its_own_hooksPath_says_that_clone_stays_unguarded()
    {
        var app = Unwired("global");
        _s.Git(app, "config", "core.hooksPath", ".husky/_").EnsureOk();

        var install = _s.Promote(app, "install", "--global").EnsureOk();

        Assert.Contains("this clone stays unguarded: its own core.hooksPath '.husky/_'", install.Stdout);
        Assert.Contains("git promote install --chain", install.Stdout);
    }

    [Fact]
    public void Doctor_says_nothing_runs_after_the_guard_when_core_hooksPath_is_not_git_promotes()
    {
        var app = Unwired("local");
        var husky = Path.Combine(app, ".husky", "_");
        Directory.CreateDirectory(husky);
        Recorder(Path.Combine(husky, "pre-push"), Path.Combine(_s.Root, "husky.log"));
        _s.Git(app, "config", "core.hooksPath", ".husky/_").EnsureOk();
        _s.Promote(app, "install", "--chain").EnsureOk();
        _s.Git(app, "config", "core.hooksPath", ".husky/_").EnsureOk();

        var doctor = _s.Promote(app, "doctor");

        Assert.Contains("not git-promote's hooks, so the guard does not run", doctor.Stdout);
        Assert.Contains("husky sets core.hooksPath again on every npm install", doctor.Stdout);
        Assert.DoesNotContain("after the guard", doctor.Stdout);
    }

    // ---- helpers ----

    private string Unwired(string level)
    {
        if (level == "system") _s.UseSystemConfig();
        var app = _s.Project();
        _s.Promote(app, "uninstall").EnsureOk();
        return app;
    }

    private static string[] LevelArgs(string level) => level == "local" ? [] : ["--" + level];

    /// <summary>A hook that appends "its path|its arguments|", a newline and its input to <paramref name="log"/>, then exits.</summary>
    private static void Recorder(string hookPath, string log, int exitCode = 0)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(hookPath)!);
        Sandbox.WriteScript(hookPath, $"#!/bin/sh\nprintf '%s|' \"$0\" \"$@\" >> '{log}'\necho >> '{log}'\ncat >> '{log}'\nexit {exitCode}\n");
    }

    /// <summary>A copy of the installation (bin and share) of this test's own, to damage without touching the shared one.</summary>
    private string PrivateInstallation()
    {
        var prefix = Path.Combine(_s.Root, "prefix");
        Directory.CreateDirectory(prefix);
        _s.Exec(_s.Root, "cp", ["-R", Path.Combine(installed.Prefix, "bin"), Path.Combine(installed.Prefix, "share"), prefix]).EnsureOk();
        return prefix;
    }
}
