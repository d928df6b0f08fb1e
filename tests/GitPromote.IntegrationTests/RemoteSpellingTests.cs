using GitPromote.TestSupport;
namespace GitPromote.IntegrationTests;

/// <summary>
/// The client guard by URL, not by name: every other spelling of an environment's repository is guarded as that
/// environment; and pipelines recording the same commit at once all succeed.
/// </summary>
[Collection(InstalledCollection.Name)]
public sealed class RemoteSpellingTests(InstalledGitPromote installed) : IDisposable
{
    private readonly Sandbox _s = new(installed);

    public void Dispose() => _s.Dispose();

    private string Prd => Path.Combine(_s.Root, "prd.git");

    public static readonly TheoryData<string> Spellings = new()
    {
        "file://{root}/prd.git",
        "file://{root}/prd.git/",
        "{root}/prd.git/",
        "{root}/prd",
        "../prd.git",
        "../prd",
        "alias:prd",
    };

    [Theory]
    [MemberData(nameof(Spellings))]
    public void Push_of_a_commit_not_green_in_stg_to_another_spelling_of_prd_is_refused(string spelling)
    {
        var app = _s.Project();
        var head = _s.Git(app, "rev-parse", "HEAD").Stdout.Trim();
        _s.Git(app, "push", "dev", "main").EnsureOk();
        _s.Record(app, "dev", head).EnsureOk();
        _s.Git(app, "push", "stg", "main").EnsureOk();
        _s.Git(app, "config", "url." + _s.Root + "/.insteadOf", "alias:").EnsureOk();
        var url = spelling.Replace("{root}", _s.Root);

        var push = _s.Git(app, "push", url, "main");

        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains("push to prd refused", push.Stderr);
        Assert.Contains("checked as a push to prd", push.Stderr);
        Assert.Equal("", _s.RemoteRef(Prd, "refs/heads/main"));

        _s.Record(app, "stg", head).EnsureOk();
        _s.Git(app, "push", url, "main").EnsureOk();
        Assert.Equal(head, _s.RemoteRef(Prd, "refs/heads/main"));
    }

    [Fact]
    public void A_second_remote_for_prd_is_guarded_as_prd()
    {
        var app = _s.Project();
        _s.Git(app, "push", "dev", "main").EnsureOk();
        _s.Git(app, "remote", "add", "backup", "file://" + Prd + "/").EnsureOk();

        var push = _s.Git(app, "push", "backup", "main");

        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains("backup is the repository of remote 'prd': checked as a push to prd", push.Stderr);
        Assert.Equal("", _s.RemoteRef(Prd, "refs/heads/main"));
    }

    [Fact]
    public void Twenty_concurrent_records_of_the_same_commit_all_succeed()
    {
        // What is tested is the lock race on one ref, not speed: twenty processes at once on a loaded two-core machine
        // may take longer than the usual 10 s, so the policy allows a minute.
        var app = _s.Project(TestPolicies.StandardYaml.Replace("timeout: 10s", "timeout: 60s"));
        var head = _s.Git(app, "rev-parse", "HEAD").Stdout.Trim();
        _s.Git(app, "push", "dev", "main").EnsureOk();

        var runs = Enumerable.Range(0, 20).AsParallel().WithDegreeOfParallelism(20)
            .Select(_ => _s.Record(app, "dev", head)).ToList();

        foreach (var run in runs)
        {
            Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}:\n{run.Output}");
            Assert.DoesNotContain("check that you may push", run.Output);
        }
        Assert.NotEqual("", _s.RemoteRef(Path.Combine(_s.Root, "dev.git"), "refs/promote/green/" + head));
    }
}
