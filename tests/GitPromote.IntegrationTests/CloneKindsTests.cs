namespace GitPromote.IntegrationTests;

/// <summary>The guard works in every clone git works in: shallow, partial (libgit2 refuses), SHA-256 (libgit2 refuses).</summary>
[Collection(InstalledCollection.Name)]
public sealed class CloneKindsTests(InstalledGitPromote installed) : IDisposable
{
    private readonly Sandbox _s = new(installed);

    public void Dispose() => _s.Dispose();

    [Fact]
    public void A_shallow_clone_is_guarded_like_a_full_one()
    {
        var app = _s.Project();
        _s.Commit(app, "second");
        _s.Git(app, "push", "dev", "main").EnsureOk();
        _s.Record(app, "dev", "main").EnsureOk();
        var shallow = CloneOf("dev.git", "shallow", "--depth", "1");
        var untested = _s.Commit(shallow, "untested in the shallow clone");

        var refused = _s.Git(shallow, "push", "stg", "main");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains($"{untested[..12]} is not green in dev", refused.Stderr);

        // The server must accept a push from a shallow clone at all (git's own rule, not ours).
        _s.Git(_s.Root, "--git-dir", Path.Combine(_s.Root, "stg.git"), "config", "receive.shallowUpdate", "true").EnsureOk();
        var allowed = _s.Git(shallow, "push", "stg", "HEAD~1:refs/heads/main").EnsureOk();
        Assert.Contains("green in dev", allowed.Stderr);
    }

    [Fact]
    public void A_partial_clone_is_guarded_through_the_git_cli()
    {
        var app = _s.Project();
        _s.Git(app, "push", "dev", "main").EnsureOk();
        _s.Git(_s.Root, "--git-dir", Path.Combine(_s.Root, "dev.git"), "config", "uploadpack.allowFilter", "true").EnsureOk();
        var partial = CloneOf("dev.git", "partial", "--filter=blob:none");
        Assert.Equal("true", _s.Git(partial, "config", "remote.dev.promisor").Stdout.Trim());

        Assert.NotEqual(0, _s.Git(partial, "push", "stg", "main").ExitCode);
        _s.Record(partial, "dev", "main").EnsureOk();
        _s.Git(partial, "push", "stg", "main").EnsureOk();
    }

    [Fact]
    public void Sha256_repositories_are_guarded_end_to_end()
    {
        var app = _s.Project(initArgs: ["--object-format=sha256"]);
        var head = _s.Git(app, "rev-parse", "HEAD").Stdout.Trim();
        Assert.Equal(64, head.Length);

        _s.Git(app, "push", "dev", "main").EnsureOk();
        var refused = _s.Git(app, "push", "stg", "main");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains($"{head[..12]} is not green in dev", refused.Stderr);

        _s.Record(app, "dev", "main").EnsureOk();
        _s.Git(app, "push", "stg", "main").EnsureOk();
        _s.Record(app, "stg", "main").EnsureOk();
        _s.Git(app, "push", "prd", "main").EnsureOk();
        Assert.Equal(head, _s.RemoteRef(Path.Combine(_s.Root, "prd.git"), "refs/heads/main"));

        var delete = _s.Git(app, "push", "prd", ":main");
        Assert.NotEqual(0, delete.ExitCode);
        Assert.Contains("deleting the deploy branch", delete.Stderr);
    }

    [Fact]
    public void A_clone_of_a_repository_without_a_policy_pushes_untouched()
    {
        var plain = Path.Combine(_s.Root, "plain");
        _s.Git(_s.Root, "init", "--quiet", plain).EnsureOk();
        _s.Commit(plain, "no policy here");
        _s.Git(plain, "remote", "add", "prd", _s.Bare("prd")).EnsureOk();
        _s.Promote(plain, "install").EnsureOk();

        var push = _s.Git(plain, "push", "prd", "main").EnsureOk();

        Assert.DoesNotContain("git-promote", push.Stderr);
    }

    private string CloneOf(string bare, string name, params string[] options)
    {
        var path = Path.Combine(_s.Root, name);
        _s.Git(_s.Root, ["clone", "--quiet", .. options, "file://" + Path.Combine(_s.Root, bare), path]).EnsureOk();
        foreach (var env in new[] { "stg", "prd" })
            _s.Git(path, "remote", "add", env, Path.Combine(_s.Root, env + ".git")).EnsureOk();
        _s.Git(path, "remote", "rename", "origin", "dev").EnsureOk();
        _s.Promote(path, "install").EnsureOk();
        return path;
    }
}
