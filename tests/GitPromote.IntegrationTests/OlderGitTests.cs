namespace GitPromote.IntegrationTests;

/// <summary>
/// A git older than git-promote supports (2.20-2.28: Debian 10, Ubuntu 20.04): the guard still reads the remotes and
/// settings it needs, refuses when it cannot read them, and doctor says what degrades.
/// </summary>
[Collection(InstalledCollection.Name)]
public sealed class OlderGitTests(InstalledGitPromote installed) : IDisposable
{
    private readonly Sandbox _s = new(installed);

    public void Dispose() => _s.Dispose();

    private string Prd => Path.Combine(_s.Root, "prd.git");

    /// <summary>
    /// Makes every git that git-promote and the hooks run a wrapper of the real one (first on PATH, and GIT_EXEC_PATH, which
    /// git puts first on a hook's PATH): it logs its arguments and, like git before 2.26 (Debian 10, Ubuntu 20.04), says it
    /// is 2.25.1 and rejects --show-scope/--show-origin; with <paramref name="failConfigList"/> every <c>git config --list</c>
    /// fails too. Returns the log.
    /// </summary>
    private string UseOlderGit(bool failConfigList = false)
    {
        var realExecPath = _s.Git(_s.Root, "--exec-path").EnsureOk().Stdout.Trim();
        var shimDir = Path.Combine(_s.Root, "git-2.25");
        Directory.CreateDirectory(shimDir);
        foreach (var entry in Directory.EnumerateFileSystemEntries(realExecPath))
            if (Path.GetFileName(entry) != "git") File.CreateSymbolicLink(Path.Combine(shimDir, Path.GetFileName(entry)), entry);
        var log = Path.Combine(_s.Root, "git-2.25.log");
        Sandbox.WriteScript(Path.Combine(shimDir, "git"), $$"""
            #!/bin/sh
            echo "$*" >> '{{log}}'
            [ "$1" = --version ] && { echo 'git version 2.25.1'; exit 0; }
            for a in "$@"; do case "$a" in --show-scope|--show-origin) echo "error: unknown option \`${a#--}'" >&2; exit 129;; esac; done
            {{(failConfigList ? "case \"$*\" in *'config --list'*) echo 'fatal: unable to read config' >&2; exit 128;; esac" : "")}}
            exec '{{realExecPath}}/git' "$@"
            """);
        _s.Environment["GIT_EXEC_PATH"] = shimDir;
        _s.Environment["PATH"] = shimDir + ":" + Path.Combine(installed.Prefix, "bin") + ":" + System.Environment.GetEnvironmentVariable("PATH");
        return log;
    }

    /// <summary>An include: a config only git reads exactly, so the hook asks git rather than reading the files itself.</summary>
    private void IncludeAConfig(string app)
    {
        File.WriteAllText(Path.Combine(_s.Root, "included.config"), "[color]\n\tui = false\n");
        _s.Git(app, "config", "include.path", Path.Combine(_s.Root, "included.config")).EnsureOk();
    }

    [Fact]
    public void A_second_remote_for_prd_is_guarded_as_prd_with_a_git_older_than_2_26()
    {
        var app = _s.Project();
        _s.Git(app, "push", "dev", "main").EnsureOk();
        _s.Git(app, "remote", "add", "backup", "file://" + Prd + "/").EnsureOk();
        IncludeAConfig(app);
        var log = UseOlderGit();

        var push = _s.Git(app, "push", "backup", "main");

        Assert.Contains("config --list -z", File.ReadAllText(log));
        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains("backup is the repository of remote 'prd': checked as a push to prd", push.Stderr);
        Assert.Equal("", _s.RemoteRef(Prd, "refs/heads/main"));
    }

    [Fact]
    public void A_push_is_refused_when_git_cannot_list_the_config_the_guard_reads()
    {
        var app = _s.Project();
        _s.Git(app, "push", "dev", "main").EnsureOk();
        _s.Git(app, "remote", "add", "backup", "file://" + Prd + "/").EnsureOk();
        IncludeAConfig(app);
        UseOlderGit(failConfigList: true);

        var push = _s.Git(app, "push", "backup", "main");

        Assert.Equal("", _s.RemoteRef(Prd, "refs/heads/main"));
        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains("git-promote: cannot read this repository's git configuration, so guarded pushes are refused", push.Stderr);
        Assert.Contains("git config failed (exit 128): fatal: unable to read config", push.Stderr);
        Assert.Contains("what to do: run git config --list here", push.Stderr);
    }

    [Fact]
    public void Check_with_a_git_older_than_2_26_still_finds_the_environments_remotes()
    {
        var app = _s.Project();
        _s.Git(app, "push", "dev", "main").EnsureOk();
        _s.Record(app, "dev", "HEAD").EnsureOk();
        IncludeAConfig(app);
        UseOlderGit();

        var check = _s.Promote(app, "check", "stg", "HEAD");

        Assert.True(check.ExitCode == 0, check.Output);
        Assert.Equal(1, _s.Promote(app, "check", "prd", "HEAD").ExitCode);
    }

    [Fact]
    public void Doctor_warns_that_a_git_older_than_2_29_cannot_fetch_evidence_kept_in_git()
    {
        var app = _s.Project();
        UseOlderGit();

        var doctor = _s.Promote(app, "doctor");

        Assert.Contains("git 2.25 is older than 2.29: evidence kept in git cannot be fetched", doctor.Stdout);
        Assert.Contains("install git 2.29 or later", doctor.Stdout);
    }
}
