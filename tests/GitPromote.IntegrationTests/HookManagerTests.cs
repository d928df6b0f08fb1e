namespace GitPromote.IntegrationTests;

/// <summary>
/// The hook managers teams use, for real (issue 29): husky 9.1.7 and lefthook 2.2.1 from npm (test.sh installs them with
/// npm ci from hook-managers/package-lock.json and passes their node_modules in GIT_PROMOTE_HOOK_MANAGERS), and the
/// pre-commit framework as Debian packages it (3.0.4, /usr/bin/pre-commit; test.sh installs it). Each is driven as a team
/// drives it, with git-promote installed as docs/rollout.md says.
/// </summary>
[Collection(InstalledCollection.Name)]
public sealed class HookManagerTests(InstalledGitPromote installed) : IDisposable
{
    private readonly Sandbox _s = new(installed);

    public void Dispose() => _s.Dispose();

    // ---- husky ----

    [Fact]
    public void Husky_hooks_keep_running_after_install_chain()
    {
        var app = Unwired();
        Husky(app);
        var log = Path.Combine(_s.Root, "husky.log");
        Sandbox.WriteScript(Path.Combine(app, ".husky", "pre-commit"), $"echo PRE-COMMIT-RAN >> '{log}'\n");
        Sandbox.WriteScript(Path.Combine(app, ".husky", "commit-msg"), $"echo \"COMMIT-MSG-RAN $1\" >> '{log}'\n");
        _s.Commit(app, "before");
        Assert.Equal("PRE-COMMIT-RAN\nCOMMIT-MSG-RAN .git/COMMIT_EDITMSG\n", File.ReadAllText(log));

        var install = _s.Promote(app, "install", "--chain").EnsureOk();
        File.Delete(log);
        _s.Commit(app, "after");

        Assert.Contains("'.husky/_' runs its hooks too", install.Stdout);
        Assert.Equal("PRE-COMMIT-RAN\nCOMMIT-MSG-RAN .git/COMMIT_EDITMSG\n", File.ReadAllText(log));
        Assert.Contains("push to stg refused", _s.Git(app, "push", "stg", "main").EnsureExit(1).Stderr);
    }

    [Fact]
    public void The_husky_pre_push_line_refuses_an_unproven_push_after_npm_install_took_the_hooks_back()
    {
        var app = Unwired();
        Husky(app);
        _s.Promote(app, "install", "--chain").EnsureOk();
        // The documented line, behind a counter: the guard that husky starts must not start husky's hook again.
        var count = Path.Combine(_s.Root, "pre-push.count");
        var line = File.ReadAllText(Path.Combine(TestSupport.RepositoryRoot.Path, "examples", "husky", "pre-push"));
        Sandbox.WriteScript(Path.Combine(app, ".husky", "pre-push"),
            $"echo x >> '{count}'\n[ \"$(wc -l < '{count}')\" -le 3 ] || exit 99\n" + line);
        Husky(app); // npm install: husky's prepare script sets core.hooksPath to .husky/_ again
        Assert.Equal(".husky/_", _s.Git(app, "config", "core.hooksPath").Stdout.Trim());

        var refused = _s.Git(app, "push", "stg", "main");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("push to stg refused", refused.Stderr);
        Assert.Equal("", _s.RemoteRef(Path.Combine(_s.Root, "stg.git"), "refs/heads/main"));

        File.Delete(count);
        _s.Git(app, "push", "dev", "main").EnsureOk();
        Assert.Single(File.ReadAllLines(count));
        _s.Promote(app, "record", "dev").EnsureOk();
        _s.Git(app, "push", "stg", "main").EnsureOk();
    }

    // ---- lefthook ----

    [Fact]
    public void The_lefthook_job_refuses_an_unproven_push_even_one_lefthook_finds_no_push_files_for()
    {
        var app = Unwired();
        LefthookIntegration(app);
        _s.Exec(app, Lefthook(), ["install"]).EnsureOk();
        Assert.True(File.Exists(Path.Combine(app, ".git", "hooks", "pre-push")));
        _s.Git(app, "push", "dev", "main").EnsureOk();
        _s.Git(app, "fetch", "--quiet", "dev").EnsureOk();

        // Pushing a commit that is already on dev by its hash: no file differs, and lefthook finds no push files.
        var head = _s.Git(app, "rev-parse", "HEAD").EnsureOk().Stdout.Trim();
        var refused = _s.Git(app, "push", "stg", $"{head}:refs/heads/main");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("push to stg refused", refused.Output);
        Assert.Equal("", _s.RemoteRef(Path.Combine(_s.Root, "stg.git"), "refs/heads/main"));

        _s.Promote(app, "record", "dev").EnsureOk();
        _s.Git(app, "push", "stg", $"{head}:refs/heads/main").EnsureOk();
        // A remote whose URL has spaces reaches the guard whole.
        var spaced = _s.Bare("prd with spaces");
        _s.Git(app, "remote", "set-url", "prd", spaced).EnsureOk();
        Assert.Contains("push to prd refused", _s.Git(app, "push", "prd", "main").EnsureExit(1).Output);
    }

    [Fact]
    public void With_a_user_level_install_lefthooks_own_hooks_in_the_clone_run_through_the_pass_through_hooks()
    {
        var app = Unwired();
        _s.Promote(app, "install", "--global").EnsureOk();
        var log = Path.Combine(_s.Root, "lefthook.log");
        File.WriteAllText(Path.Combine(app, "lefthook.yml"), $"""
            pre-commit:
              jobs:
                - name: lint
                  run: echo LINT-RAN >> '{log}'
            commit-msg:
              jobs:
                - name: message
                  run: echo "MSG-RAN {"{1}"}" >> '{log}'
            """);
        // lefthook refuses to install while a core.hooksPath is set; docs/rollout.md: hide the user's level from it.
        _s.Exec(app, Lefthook(), ["install"], env: new Dictionary<string, string?> { ["GIT_CONFIG_GLOBAL"] = "/dev/null" }).EnsureOk();

        _s.Commit(app, "linted");

        Assert.Equal("LINT-RAN\nMSG-RAN .git/COMMIT_EDITMSG\n", File.ReadAllText(log));
        Assert.Contains("push to stg refused", _s.Git(app, "push", "stg", "main").EnsureExit(1).Stderr);
    }

    [Fact]
    public void Lefthook_install_force_into_the_installation_folder_is_repaired_by_install()
    {
        var prefix = Path.Combine(_s.Root, "prefix");
        Directory.CreateDirectory(prefix);
        _s.Exec(_s.Root, "cp", ["-R", Path.Combine(installed.Prefix, "bin"), Path.Combine(installed.Prefix, "share"), prefix]).EnsureOk();
        var promote = Path.Combine(prefix, "bin", "git-promote");
        var hooks = Path.Combine(prefix, "share", "git-promote", "hooks");
        var app = Unwired();
        _s.Exec(app, promote, ["install", "--global"]).EnsureOk();
        File.WriteAllText(Path.Combine(app, "lefthook.yml"), "pre-commit:\n  jobs:\n    - run: 'true'\npre-push:\n  jobs:\n    - run: 'true'\n");

        var force = _s.Exec(app, Lefthook(), ["install", "--force"]).EnsureOk();
        Assert.Contains($"Renamed {hooks}/pre-push to {hooks}/pre-push.old", force.Output);
        // Every clone wired to the installation is unguarded now: lefthook's pre-push runs instead of the guard.
        Assert.Equal(0, _s.Git(app, "push", "stg", "main").ExitCode);
        var next = _s.Commit(app, "unproven");

        var repaired = _s.Exec(app, promote, ["install", "--global"]).EnsureOk();

        Assert.Contains("repaired git-promote's hooks folder", repaired.Stdout);
        Assert.Contains("pre-push.old: an old copy of git-promote's hook, removed", repaired.Stdout);
        Assert.Contains("lefthook install --force does", repaired.Stdout);
        Assert.Contains("push to stg refused", _s.Git(app, "push", "stg", "main").EnsureExit(1).Stderr);
        Assert.NotEqual(next, _s.RemoteRef(Path.Combine(_s.Root, "stg.git"), "refs/heads/main"));
    }

    // ---- the pre-commit framework ----

    [Fact]
    [Trait("Needs", "pre-commit")]
    public void The_pre_commit_framework_hook_refuses_an_unproven_push()
    {
        var manifest = Yaml(Path.Combine(TestSupport.RepositoryRoot.Path, ".pre-commit-hooks.yaml"))[0];
        Assert.Equal("git-promote", manifest.GetProperty("id").GetString());
        Assert.Equal("script", manifest.GetProperty("language").GetString());
        Assert.Equal(["pre-push"], manifest.GetProperty("stages").EnumerateArray().Select(s => s.GetString()));
        Assert.False(manifest.GetProperty("pass_filenames").GetBoolean());
        Assert.True(manifest.GetProperty("always_run").GetBoolean());
        var entry = manifest.GetProperty("entry").GetString()!;
        var app = Unwired();
        // Debian's pre-commit (3.0.4) knows the pre-push stage by its older name, push, and would refuse the manifest's
        // stage name: the same hook, copied into the clone, runs as a local hook with that name.
        Directory.CreateDirectory(Path.Combine(app, Path.GetDirectoryName(entry)!));
        Sandbox.WriteScript(Path.Combine(app, entry), File.ReadAllText(Path.Combine(TestSupport.RepositoryRoot.Path, entry)));
        File.WriteAllText(Path.Combine(app, ".pre-commit-config.yaml"), $"""
            repos:
              - repo: local
                hooks:
                  - id: git-promote
                    name: git-promote
                    entry: {entry}
                    language: script
                    stages: [push]
                    pass_filenames: false
                    always_run: true
            """);
        _s.Commit(app, "pre-commit config");
        var preCommit = PreCommit();
        _s.Exec(app, preCommit, ["install", "--hook-type", "pre-push"]).EnsureOk();

        var refused = _s.Git(app, "push", "stg", "main");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("push to stg refused", refused.Output);
        Assert.Equal("", _s.RemoteRef(Path.Combine(_s.Root, "stg.git"), "refs/heads/main"));

        _s.Git(app, "push", "dev", "main").EnsureOk();
        _s.Promote(app, "record", "dev").EnsureOk();
        _s.Git(app, "push", "stg", "main").EnsureOk();
        var next = _s.Commit(app, "second");
        _s.Git(app, "fetch", "--quiet", "stg").EnsureOk();
        Assert.Contains("push to stg refused", _s.Git(app, "push", "stg", "main").EnsureExit(1).Output);
        Assert.NotEqual(next, _s.RemoteRef(Path.Combine(_s.Root, "stg.git"), "refs/heads/main"));
    }

    // ---- helpers ----

    private string Unwired()
    {
        var app = _s.Project();
        _s.Promote(app, "uninstall").EnsureOk();
        return app;
    }

    /// <summary>The node_modules with husky and lefthook; their absence fails the test (test.sh installs them).</summary>
    private static string HookManagers() =>
        System.Environment.GetEnvironmentVariable("GIT_PROMOTE_HOOK_MANAGERS") is { Length: > 0 } dir && Directory.Exists(dir)
            ? dir
            : Path.Combine(System.Environment.GetEnvironmentVariable("HOME") ?? "/nonexistent", ".cache", "git-promote-test", "hook-managers",
                "node_modules") is var cached && Directory.Exists(cached)
                ? cached
                : throw new Xunit.Sdk.XunitException("husky and lefthook are needed: run ./test.sh, which installs them (npm ci in "
                    + "tests/GitPromote.IntegrationTests/hook-managers), or set GIT_PROMOTE_HOOK_MANAGERS to a node_modules holding them");

    /// <summary>What husky's prepare script does on npm install: core.hooksPath = .husky/_, and its hooks there.</summary>
    private void Husky(string app) =>
        _s.Exec(app, "node", [Path.Combine(HookManagers(), "husky", "bin.js")]).EnsureOk();

    private static string Lefthook() => Path.Combine(HookManagers(), ".bin", "lefthook");

    private static void LefthookIntegration(string app)
    {
        var example = Path.Combine(TestSupport.RepositoryRoot.Path, "examples", "lefthook");
        File.Copy(Path.Combine(example, "lefthook.yml"), Path.Combine(app, "lefthook.yml"));
        Directory.CreateDirectory(Path.Combine(app, ".lefthook", "pre-push"));
        var script = Path.Combine(".lefthook", "pre-push", "git-promote.sh");
        File.Copy(Path.Combine(example, script), Path.Combine(app, script));
    }

    private static string PreCommit() => File.Exists("/usr/bin/pre-commit")
        ? "/usr/bin/pre-commit"
        : throw new Xunit.Sdk.XunitException("the pre-commit framework is needed: apt-get install pre-commit=3.0.4-1 (test.sh does this)");

    private System.Text.Json.JsonElement Yaml(string path)
    {
        var json = _s.Exec(_s.Root, "python3", ["-c", "import sys,yaml,json; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)", path]).EnsureOk();
        return System.Text.Json.JsonDocument.Parse(json.Stdout).RootElement.Clone();
    }
}
