using System.Diagnostics;
using System.Text.RegularExpressions;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Git.Evidence;
using GitPromote.Git.Tests.Support;
using GitPromote.TestSupport;

namespace GitPromote.Git.Tests;

/// <summary>Git evidence end to end against a real bare repository over file://, run on both repository backends.</summary>
public abstract class GitEvidenceTests : IDisposable
{
    private static readonly Identity Ann = new("Ann Operator", "ann@example.com");
    private static readonly DateTimeOffset Noon = new(2024, 5, 6, 12, 0, 0, TimeSpan.Zero);

    private readonly RemoteSetup _remote = new();
    private readonly List<IDisposable> _opened = [];

    protected abstract IGitRepository OpenBackend(GitLocation location);

    public void Dispose()
    {
        foreach (var d in _opened) d.Dispose();
        _remote.Dispose();
    }

    private IGitRepository Repository()
    {
        var repo = OpenBackend(GitRepositoryLocator.Locate(Disk.Files, _remote.Clone, FakeEnvironment.Empty)!);
        _opened.Add(repo);
        return repo;
    }

    private static EnvironmentPolicy Dev(params string[] remotes) =>
        new("dev", 0, remotes.Length == 0 ? ["dev", "origin"] : remotes, null, [new GitEvidence()], RequireMode.Any);

    private (IGitRepository Repo, CountingClient Client, GitEvidenceProvider Provider) Setup(GitProcess? git = null)
    {
        var repo = Repository();
        var client = new CountingClient(new GitRemoteClient(repo.GitDir, git ?? GitProcess.Default));
        return (repo, client, new GitEvidenceProvider(repo, client));
    }

    [Fact]
    public async Task A_recorded_green_commit_is_found_and_others_are_not()
    {
        var (_, _, provider) = Setup();
        await provider.OpenStore(Dev()).RecordGreenAsync(_remote.Second, Ann, Noon, CancellationToken.None);

        var found = await provider.OpenReader(Dev(), new GitEvidence()).FindGreenAsync([_remote.First, _remote.Second], CancellationToken.None);

        Assert.Equal([new GreenFact(_remote.Second, "git ref on dev")], found);
        var onServer = $"refs/promote/green/{_remote.Second}";
        Assert.Equal("tag", GitCli.Run(_remote.Server, "cat-file", "-t", onServer));
        var tag = GitCli.Run(_remote.Server, "cat-file", "tag", onServer);
        Assert.Contains($"object {_remote.Second}\n", tag);
        Assert.Contains($"tagger Ann Operator <ann@example.com> {Noon.ToUnixTimeSeconds()} +0000", tag);
        Assert.Equal((Noon, "Ann Operator <ann@example.com>"), RecordJson.ReadGreen(tag[(tag.IndexOf("\n\n", StringComparison.Ordinal) + 2)..]));
    }

    [Fact]
    public async Task A_plain_ref_pushed_by_a_pipeline_counts_as_green()
    {
        GitCli.Run(_remote.Clone, "push", "-q", "dev", $"{_remote.First}:refs/promote/green/{_remote.First}");
        var (_, _, provider) = Setup();

        var found = await provider.OpenReader(Dev(), new GitEvidence()).FindGreenAsync([_remote.First, _remote.Second], CancellationToken.None);

        Assert.Equal([new GreenFact(_remote.First, "git ref on dev")], found);
    }

    [Fact]
    public async Task A_listing_of_green_commits_is_one_fetch_of_the_namespace_and_no_ls_remote()
    {
        GitCli.Run(_remote.Clone, "push", "-q", "dev", $"{_remote.First}:refs/promote/green/{_remote.First}");
        var (_, client, provider) = Setup();
        var reader = provider.OpenReader(Dev(), new GitEvidence());

        await reader.FindGreenAsync([_remote.First], CancellationToken.None);
        var fetchesBefore = client.FetchCalls;
        var listed = await reader.ListGreenAsync(10, CancellationToken.None);

        Assert.Equal(1, client.FetchCalls - fetchesBefore);
        Assert.Equal(0, client.ListCalls);
        Assert.Equal([_remote.First], listed.Select(g => g.Commit));
        Assert.Equal("git refs on remote dev", reader.Label);
    }

    [Fact]
    public async Task Green_details_give_who_and_when_newest_first_and_recording_again_replaces_the_record()
    {
        var (_, _, provider) = Setup();
        var store = provider.OpenGitStore(Dev());
        await store.RecordGreenAsync(_remote.Second, Ann, Noon.AddDays(-1), CancellationToken.None);
        await store.RecordGreenAsync(_remote.Second, Ann, Noon, CancellationToken.None);
        await store.RecordGreenAsync(_remote.Unpushed, new Identity("Bob", "bob@example.com"), Noon.AddHours(-1), CancellationToken.None);
        GitCli.Run(_remote.Clone, "push", "-q", "dev", $"{_remote.First}:refs/promote/green/{_remote.First}");

        var details = await store.ListGreenWithDetailsAsync(10, CancellationToken.None);

        Assert.Equal(
        [
            new GreenFact(_remote.Second, "git ref on dev", Noon, "Ann Operator <ann@example.com>"),
            new GreenFact(_remote.Unpushed, "git ref on dev", Noon.AddHours(-1), "Bob <bob@example.com>"),
            new GreenFact(_remote.First, "git ref on dev"),
        ], details);
        Assert.Equal(2, (await store.ListGreenWithDetailsAsync(2, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task Recording_a_commit_this_repository_does_not_have_is_unavailable_not_a_crash()
    {
        var (_, _, provider) = Setup();
        var e = await Assert.ThrowsAsync<EvidenceUnavailableException>(() =>
            provider.OpenStore(Dev()).RecordGreenAsync(new string('1', 40), Ann, Noon, CancellationToken.None));
        Assert.Contains("cannot record 111111111111 as green in 'dev'", e.Failure.What);
    }

    [Fact]
    public async Task Deployment_events_are_new_refs_each_time_listed_oldest_first_with_their_kind_and_prune_sees_them()
    {
        var (_, _, provider) = Setup();
        var store = provider.OpenGitStore(Dev());
        var forward = new DeploymentEvent("dev", _remote.Second, Noon, Ann, DeploymentKind.Forward);
        var rollback = new DeploymentEvent("dev", _remote.Unpushed, Noon.AddHours(1), Ann, DeploymentKind.Rollback);

        Assert.Empty(await store.ListDeploymentsAsync(DateTimeOffset.MinValue, CancellationToken.None));
        await store.RecordDeploymentAsync(rollback, CancellationToken.None);
        await store.RecordDeploymentAsync(forward, CancellationToken.None);
        await store.RecordDeploymentAsync(forward, CancellationToken.None); // the same deployment again is a second event

        var listed = await store.ListDeploymentsAsync(DateTimeOffset.MinValue, CancellationToken.None);
        Assert.Equal([DeploymentKind.Forward, DeploymentKind.Forward, DeploymentKind.Rollback], listed.Select(e => e.Kind));
        Assert.Equal([_remote.Second, _remote.Second, _remote.Unpushed], listed.Select(e => e.Commit));
        Assert.Equal(Ann.ToString(), listed[2].By.Name);
        // Before the window only names are read: commit and time, no kind.
        var named = await store.ListDeploymentsAsync(Noon.AddMinutes(30), CancellationToken.None);
        Assert.Equal([DeploymentKind.Forward, DeploymentKind.Forward, DeploymentKind.Rollback], named.Select(e => e.Kind));
        Assert.Equal(Identity.Unknown, named[0].By);
        var refs = GitCli.Run(_remote.Server, "for-each-ref", "--format=%(refname)", "refs/promote/deploy/").Split('\n');
        Assert.Contains(refs, r => Regex.IsMatch(r, $"^refs/promote/deploy/20240506T120000Z-{_remote.Second}-[0-9a-f]{{4}}$"));
        Assert.Equal(3, refs.Length);

        var records = await store.ListRecordsAsync(CancellationToken.None);
        Assert.Equal([Noon, Noon, Noon.AddHours(1)], records.Where(r => r.Kind == StoredRecordKind.Deployment).Select(r => r.At).Order());
    }

    [Fact]
    public async Task A_history_reads_every_kind_of_record_with_one_fetch_the_same_as_each_kind_listed_alone()
    {
        var (_, client, provider) = Setup();
        var store = provider.OpenGitStore(Dev());
        await store.RecordGreenAsync(_remote.First, Ann, Noon, CancellationToken.None);
        await store.RecordGreenAsync(_remote.Second, Ann, Noon.AddHours(1), CancellationToken.None);
        await store.RecordDeploymentAsync(new DeploymentEvent("dev", _remote.First, Noon, Ann, DeploymentKind.Forward), CancellationToken.None);
        await store.RecordDeploymentAsync(new DeploymentEvent("dev", _remote.Second, Noon.AddDays(2), Ann, DeploymentKind.Rollback), CancellationToken.None);
        await store.RecordBypassAsync(new BypassRecord("dev", _remote.Second, "refs/heads/main", "OPS-1", Ann, Noon), CancellationToken.None);
        await store.RecordRevocationAsync(new Revocation("dev", _remote.First, "alarm", Ann, Noon), CancellationToken.None);
        await store.RecordRevocationAsync(new Revocation("dev", _remote.Second, "5xx", Ann, Noon), CancellationToken.None);
        await store.LiftRevocationAsync(new Revocation("dev", _remote.Second, "5xx", Ann, Noon), Ann, Noon.AddHours(2), CancellationToken.None);

        var fetchesBefore = client.FetchCalls;
        var history = await store.ReadHistoryAsync(Noon.AddDays(1), 10, CancellationToken.None);

        Assert.Equal(1, client.FetchCalls - fetchesBefore);
        // The event before the window is read from its name alone (no author); the one inside from its body.
        Assert.Equal([(_remote.First, Noon, DeploymentKind.Forward), (_remote.Second, Noon.AddDays(2), DeploymentKind.Rollback)],
            history.Events.Select(e => (e.Commit, e.At, e.Kind)));
        Assert.Equal([Identity.Unknown.Name, Ann.ToString()], history.Events.Select(e => e.By.Name));
        Assert.Equal(await store.ListBypassesAsync(CancellationToken.None), history.Bypasses);
        Assert.Equal(await store.ListGreenWithDetailsAsync(10, CancellationToken.None), history.Green);
        Assert.Equal([_remote.Second, _remote.First], history.Green.Select(g => g.Commit));
        Assert.Equal(await store.ListRevocationsAsync(CancellationToken.None), history.Revocations);
        Assert.Equal([_remote.First], history.Revocations.Select(r => r.Commit));
        Assert.Equal([_remote.Second], history.Lifted.Select(l => l.Revocation.Commit));
        Assert.True(store.KeepsGreenOf(new GitEvidence()));
        Assert.False(store.KeepsGreenOf(new SsmEvidence()));
    }

    [Fact]
    public async Task A_bypass_record_round_trips_and_records_are_listed_oldest_first()
    {
        var (_, _, provider) = Setup();
        var store = provider.OpenStore(Dev());
        var later = new BypassRecord("dev", _remote.Second, "refs/heads/main", "INC-12: db failover, hotfix approved", Ann, Noon, "dev");
        var earlier = new BypassRecord("dev", _remote.Unpushed, "refs/heads/main", "INC-11: earlier emergency fix", Ann, Noon.AddDays(-2));

        Assert.Empty(await store.ListBypassesAsync(CancellationToken.None));
        await store.RecordBypassAsync(later, CancellationToken.None);
        await store.RecordBypassAsync(earlier, CancellationToken.None);

        var listed = await store.ListBypassesAsync(CancellationToken.None);
        Assert.Equal([earlier, later], listed.Select(b => b with { Id = null }));
        var refs = GitCli.Run(_remote.Server, "for-each-ref", "--format=%(refname)", "refs/promote/bypass/").Split('\n');
        Assert.Contains(refs, r => Regex.IsMatch(r, $"^refs/promote/bypass/20240506T120000Z-{_remote.Second}-[0-9a-f]{{4}}$"));
        Assert.Equal(2, refs.Length);
        // Each record's id is its ref name's tail: what the deployment that uses it names.
        Assert.All(listed, b => Assert.Contains("refs/promote/bypass/" + b.Id, refs));
    }

    [Fact]
    public async Task A_bypass_that_cannot_be_pushed_is_refused_loudly()
    {
        Scripts.Write(Path.Combine(_remote.Server, "hooks", "pre-receive"), "echo 'bypass refs are locked' >&2\nexit 1\n");
        var (_, _, provider) = Setup();
        var record = new BypassRecord("dev", _remote.Second, "refs/heads/main", "INC-1: justification text", Ann, Noon);

        var e = await Assert.ThrowsAsync<EvidenceUnavailableException>(() => provider.OpenStore(Dev()).RecordBypassAsync(record, CancellationToken.None));

        Assert.Contains("cannot record the bypass", e.Failure.What);
        Assert.Contains("bypass refs are locked", e.Failure.Why);
    }

    [Fact]
    public async Task An_unreachable_remote_is_unavailable_and_its_credentials_never_show()
    {
        GitCli.Run(_remote.Clone, "config", "promote.remote.dev", "https://bob:hunter2@127.0.0.1:1/dev.git");
        var (_, _, provider) = Setup();
        var reader = provider.OpenReader(Dev(), new GitEvidence());

        var e = await Assert.ThrowsAsync<EvidenceUnavailableException>(() => reader.FindGreenAsync([_remote.First], CancellationToken.None));

        Assert.Contains("https://127.0.0.1:1/dev.git", e.Failure.What);
        Assert.DoesNotContain("hunter2", e.Failure.What + e.Failure.Why + e.Failure.Todo + e.Message + reader.Label);
        Assert.Contains("git ls-remote", e.Failure.Todo);
    }

    [Fact]
    public async Task A_remote_that_hangs_is_unavailable_within_the_deadline()
    {
        GitCli.Run(_remote.Clone, "config", "promote.remote.dev", "ssh://git@example.invalid/dev.git");
        var (_, _, provider) = Setup(new GitProcess(new Dictionary<string, string?> { ["GIT_SSH_COMMAND"] = "sleep 30 #" }));
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        var watch = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<EvidenceUnavailableException>(() =>
            provider.OpenReader(Dev(), new GitEvidence()).FindGreenAsync([_remote.First], deadline.Token));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        Assert.Contains("no answer within the time allowed", e.Failure.Why);
    }

    public static TheoryData<string[], string?, string> RemoteChoices => new()
    {
        { ["dev", "origin"], "https://config.example.com/dev.git", "https://config.example.com/dev.git" },
        { ["nope", "dev"], null, "dev" },
        { ["https://u:p@h.example.com/x.git", "dev"], null, "dev" },
        { ["nope", "https://h.example.com/x.git"], null, "https://h.example.com/x.git" },
        { ["https://h.example.com/*.git", "/srv/git/dev.git"], null, "/srv/git/dev.git" },
    };

    [Theory]
    [MemberData(nameof(RemoteChoices))]
    public void The_environment_remote_is_config_then_a_remote_name_then_a_literal_url(string[] remotes, string? configured, string expected)
    {
        if (configured is not null) GitCli.Run(_remote.Clone, "config", "promote.remote.dev", configured);
        Assert.Equal(expected, EnvironmentRemote.Resolve(Repository(), Dev(remotes)).Remote);
    }

    [Fact]
    public async Task An_environment_without_a_usable_remote_says_how_to_add_one()
    {
        var (_, _, provider) = Setup();
        var env = Dev("nope", "https://h.example.com/*.git");
        var reader = provider.OpenReader(env, new GitEvidence());

        var e = await Assert.ThrowsAsync<EvidenceUnavailableException>(() => reader.FindGreenAsync([_remote.First], CancellationToken.None));

        Assert.Equal("no remote for environment 'dev'", e.Failure.What);
        Assert.Equal("git remote add dev <url>, or name an existing remote in .promote.yml", e.Failure.Todo);
        Assert.Contains("promote.remote.dev", e.Failure.Why);
        Assert.Contains("no remote", reader.Label);
        await Assert.ThrowsAsync<EvidenceUnavailableException>(() => provider.OpenStore(env).ListBypassesAsync(CancellationToken.None));
    }

    [Fact]
    public void Only_git_evidence_is_read_by_this_provider()
    {
        var (_, _, provider) = Setup();
        Assert.Throws<NotSupportedException>(() => provider.OpenReader(Dev(), new SsmEvidence()));
        Assert.Throws<NotSupportedException>(() => provider.OpenReader(Dev(), new CodePipelineEvidence("p", null, 10)));
    }

    /// <summary>Counts remote calls, to pin "one ls-remote per reader".</summary>
    private sealed class CountingClient(IGitRemoteClient inner) : IGitRemoteClient
    {
        public int ListCalls;
        public int FetchCalls;

        public Task<IReadOnlyList<RemoteRef>> ListRefsAsync(string remote, IReadOnlyList<string> refPrefixes, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref ListCalls);
            return inner.ListRefsAsync(remote, refPrefixes, cancellationToken);
        }

        public Task PushAsync(string remote, IReadOnlyList<string> refspecs, CancellationToken cancellationToken) =>
            inner.PushAsync(remote, refspecs, cancellationToken);

        public Task FetchAsync(string remote, IReadOnlyList<string> refspecs, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref FetchCalls);
            return inner.FetchAsync(remote, refspecs, cancellationToken);
        }

        public Task FetchAsync(string remote, IReadOnlyList<string> refspecs, bool prune, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref FetchCalls);
            return inner.FetchAsync(remote, refspecs, prune, cancellationToken);
        }
    }
}

public sealed class LibGit2GitEvidenceTests : GitEvidenceTests
{
    protected override IGitRepository OpenBackend(GitLocation location) => new LibGit2Repository(Disk.Files, location, GitProcess.Default);
}

public sealed class CliGitEvidenceTests : GitEvidenceTests
{
    protected override IGitRepository OpenBackend(GitLocation location) => new CliGitRepository(Disk.Files, location, GitProcess.Default);
}
