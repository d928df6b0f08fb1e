using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Git.Evidence;
using GitPromote.Git.Tests.Support;
using GitPromote.TestSupport;

namespace GitPromote.Git.Tests;

/// <summary>Revocations, approvals and green times in git refs, against a real bare repository, on both backends.</summary>
public abstract class GitReviewRecordTests : IDisposable
{
    private static readonly Identity Ops = new("Ops", "ops@example.com");
    private static readonly Identity Bob = new("Bob", "bob@example.com");
    private static readonly DateTimeOffset Noon = new(2024, 5, 6, 12, 0, 0, TimeSpan.Zero);

    private readonly RemoteSetup _remote = new();
    private readonly List<IDisposable> _opened = [];

    protected abstract IGitRepository OpenBackend(GitLocation location);

    public void Dispose()
    {
        foreach (var d in _opened) d.Dispose();
        _remote.Dispose();
    }

    private static EnvironmentPolicy Dev(TimeSpan? soak = null) =>
        new("dev", 0, ["dev"], null, [new GitEvidence()], RequireMode.Any) { Soak = soak };

    private (CountingClient Client, GitEvidenceProvider Provider) Setup(string? clone = null)
    {
        var repo = OpenBackend(GitRepositoryLocator.Locate(Disk.Files, clone ?? _remote.Clone, FakeEnvironment.Empty)!);
        _opened.Add(repo);
        var client = new CountingClient(new GitRemoteClient(repo.GitDir, GitProcess.Default));
        return (client, new GitEvidenceProvider(repo, client));
    }

    private static IEvidenceWithReviewsReader Reader(GitEvidenceProvider provider, EnvironmentPolicy env) =>
        (IEvidenceWithReviewsReader)provider.OpenReader(env, new GitEvidence());

    [Fact]
    public async Task A_revocation_is_read_with_green_in_one_fetch_with_who_and_why()
    {
        var (_, provider) = Setup();
        var store = provider.OpenGitStore(Dev());
        await store.RecordGreenAsync(_remote.Second, Ops, Noon, CancellationToken.None);
        await store.RecordRevocationAsync(new Revocation("dev", _remote.Second, "5xx alarm", Ops, Noon.AddHours(1)), CancellationToken.None);
        var (client, fresh) = Setup();

        var (green, reviews) = await Reader(fresh, Dev()).FindGreenAndReviewsAsync([_remote.Second], [_remote.First, _remote.Second], false,
            CancellationToken.None);

        Assert.Equal(0, client.ListCalls);
        Assert.Equal(1, client.FetchCalls);
        Assert.Equal([_remote.Second], green.Select(g => g.Commit));
        Assert.Equal(new Revocation("dev", _remote.Second, "5xx alarm", Ops, Noon.AddHours(1)), reviews.RevocationOf(_remote.Second));
        Assert.Null(reviews.RevocationOf(_remote.First));
        Assert.False(reviews.ApprovalsRead);
        Assert.Equal("tag", GitCli.Run(_remote.Server, "cat-file", "-t", $"refs/promote/revoked/{_remote.Second}"));
    }

    [Fact]
    public async Task A_standing_revocation_is_never_replaced()
    {
        var (_, provider) = Setup();
        var store = provider.OpenGitStore(Dev());
        await store.RecordRevocationAsync(new Revocation("dev", _remote.Second, "first reason", Ops, Noon), CancellationToken.None);

        await Assert.ThrowsAsync<EvidenceUnavailableException>(() =>
            store.RecordRevocationAsync(new Revocation("dev", _remote.Second, "second reason", Bob, Noon.AddHours(1)), CancellationToken.None));

        var standing = Assert.Single(await store.ListRevocationsAsync(CancellationToken.None));
        Assert.Equal("first reason", standing.Reason);
    }

    [Fact]
    public async Task Lifting_a_revocation_removes_it_and_keeps_it_in_the_lifted_records()
    {
        var (_, provider) = Setup();
        var store = provider.OpenGitStore(Dev());
        var revocation = new Revocation("dev", _remote.Second, "false alarm?", Ops, Noon);
        await store.RecordRevocationAsync(revocation, CancellationToken.None);

        await store.LiftRevocationAsync(revocation, Bob, Noon.AddHours(2), CancellationToken.None);

        Assert.Empty(await store.ListRevocationsAsync(CancellationToken.None));
        Assert.Null((await store.FindReviewsAsync([_remote.Second], false, CancellationToken.None)).RevocationOf(_remote.Second));
        Assert.Equal([new LiftedRevocation(revocation, Bob, Noon.AddHours(2))], await store.ListLiftedRevocationsAsync(CancellationToken.None));
        Assert.Matches($"^refs/promote/revoked-lifted/20240506T140000Z-{_remote.Second}-[0-9a-f]{{4}}$",
            GitCli.Run(_remote.Server, "for-each-ref", "--format=%(refname)", "refs/promote/revoked-lifted/").Trim());
    }

    [Fact]
    public async Task Approvals_are_one_per_identity_and_named_by_their_record_key_on_a_push()
    {
        var (_, provider) = Setup();
        var store = provider.OpenGitStore(Dev());
        await store.RecordApprovalAsync(new Approval("dev", _remote.Second, ApproverIds.Of(Bob), Bob, Noon, "first look"), CancellationToken.None);
        await store.RecordApprovalAsync(new Approval("dev", _remote.Second, ApproverIds.Of(Bob), Bob, Noon.AddHours(1), "second look"), CancellationToken.None);
        await store.RecordApprovalAsync(new Approval("dev", _remote.Second, ApproverIds.Of(Ops), Ops, Noon), CancellationToken.None);

        var listed = await Reader(Setup().Provider, Dev()).FindGreenAndReviewsAsync([], [_remote.Second], true, CancellationToken.None);
        var detailed = await store.FindReviewsAsync([_remote.Second], true, CancellationToken.None);

        Assert.Equal([ApproverIds.Of(Bob), ApproverIds.Of(Ops)], listed.Reviews.ApprovalsOf(_remote.Second).Select(a => a.ApproverId).Order());
        Assert.All(listed.Reviews.ApprovalsOf(_remote.Second), a => Assert.Null(a.By));
        var bob = detailed.ApprovalsOf(_remote.Second).Single(a => a.ApproverId == ApproverIds.Of(Bob));
        Assert.Equal(new Approval("dev", _remote.Second, ApproverIds.Of(Bob), Bob, Noon.AddHours(1), "second look"), bob);
    }

    [Fact]
    public async Task Green_is_read_by_name_with_one_fetch_of_only_the_asked_commits_records()
    {
        var (_, provider) = Setup();
        await provider.OpenGitStore(Dev()).RecordGreenAsync(_remote.Second, Ops, Noon, CancellationToken.None);
        GitCli.Run(_remote.Clone, "push", "-q", "dev", $"{_remote.First}:refs/promote/green/{_remote.First}");
        var elsewhere = CloneElsewhere();
        var (client, fresh) = Setup(elsewhere);

        var green = await fresh.OpenReader(Dev(), new GitEvidence()).FindGreenAsync([_remote.Second], CancellationToken.None);

        Assert.Equal([new GreenFact(_remote.Second, "git ref on dev")], green);
        Assert.Equal(1, client.FetchCalls);
        Assert.Equal(0, client.ListCalls);
        // The other commit's record was not transferred: the server was asked for this commit's refs by name.
        Assert.Equal($"refs/promote/remotes/dev/green/{_remote.Second}", GitCli.Run(elsewhere, "for-each-ref", "--format=%(refname)", "refs/promote/").Trim());
    }

    [Fact]
    public async Task A_green_record_deleted_on_the_remote_is_no_longer_green_in_a_clone_that_had_fetched_it()
    {
        var (_, provider) = Setup();
        await provider.OpenGitStore(Dev()).RecordGreenAsync(_remote.Second, Ops, Noon, CancellationToken.None);
        var elsewhere = CloneElsewhere();
        Assert.Single(await Setup(elsewhere).Provider.OpenReader(Dev(), new GitEvidence()).FindGreenAsync([_remote.Second], CancellationToken.None));

        GitCli.Run(_remote.Server, "update-ref", "-d", $"refs/promote/green/{_remote.Second}");

        Assert.Empty(await Setup(elsewhere).Provider.OpenReader(Dev(), new GitEvidence()).FindGreenAsync([_remote.Second], CancellationToken.None));
    }

    [Fact]
    public async Task With_soak_the_green_time_comes_from_the_record_fetched_with_the_ref()
    {
        var (_, provider) = Setup();
        await provider.OpenGitStore(Dev()).RecordGreenAsync(_remote.Second, Ops, Noon, CancellationToken.None);
        GitCli.Run(_remote.Clone, "push", "-q", "dev", $"{_remote.First}:refs/promote/green/{_remote.First}");
        var elsewhere = CloneElsewhere();
        var (client, fresh) = Setup(elsewhere);
        var reader = fresh.OpenReader(Dev(soak: TimeSpan.FromHours(2)), new GitEvidence());

        var green = await reader.FindGreenAsync([_remote.First, _remote.Second], CancellationToken.None);

        Assert.Equal(
        [
            new GreenFact(_remote.First, "git ref on dev"),
            new GreenFact(_remote.Second, "git ref on dev", Noon, "Ops <ops@example.com>"),
        ], green.OrderBy(g => g.RecordedAt.HasValue));
        Assert.Equal(1, client.FetchCalls);
        Assert.Equal(0, client.ListCalls);
    }

    [Fact]
    public async Task A_green_record_written_by_hand_with_an_old_recordedAt_is_read_as_that_time()
    {
        var body = RecordJson.GreenBody(_remote.Second, "dev", Ops, Noon.AddDays(-3));
        var tag = GitCli.RunWithInput(_remote.Clone,
            $"object {_remote.Second}\ntype commit\ntag promote-green\ntagger Ops <ops@example.com> {Noon.ToUnixTimeSeconds()} +0000\n\n{body}\n",
            null, "mktag").Trim();
        GitCli.Run(_remote.Clone, "push", "-q", "dev", $"{tag}:refs/promote/green/{_remote.Second}");
        var (_, provider) = Setup();

        var green = await provider.OpenReader(Dev(soak: TimeSpan.FromHours(1)), new GitEvidence()).FindGreenAsync([_remote.Second], CancellationToken.None);

        Assert.Equal(Noon.AddDays(-3), Assert.Single(green).RecordedAt);
    }

    [Fact]
    public async Task A_server_repository_reads_its_own_revocations_and_approvals_locally()
    {
        var (_, provider) = Setup();
        var store = provider.OpenGitStore(Dev());
        await store.RecordRevocationAsync(new Revocation("dev", _remote.Second, "bad build", Ops, Noon), CancellationToken.None);
        await store.RecordApprovalAsync(new Approval("dev", _remote.First, ApproverIds.Of(Bob), Bob, Noon, "ok"), CancellationToken.None);
        var server = OpenBackend(GitRepositoryLocator.Locate(Disk.Files, _remote.Server, FakeEnvironment.Empty)!);
        _opened.Add(server);
        var local = new LocalReviewStore(server, Dev());

        var reviews = await local.FindReviewsAsync([_remote.First, _remote.Second, "not-a-commit"], true, CancellationToken.None);

        Assert.Equal(new Revocation("dev", _remote.Second, "bad build", Ops, Noon), reviews.RevocationOf(_remote.Second));
        Assert.Null(reviews.RevocationOf(_remote.First));
        Assert.Equal([new Approval("dev", _remote.First, ApproverIds.Of(Bob), Bob, Noon, "ok")], reviews.ApprovalsOf(_remote.First));
        Assert.Single(await local.ListRevocationsAsync(CancellationToken.None));
        await Assert.ThrowsAsync<EvidenceUnavailableException>(() => local.RecordApprovalAsync(reviews.ApprovalsOf(_remote.First)[0], CancellationToken.None));
    }

    private string CloneElsewhere()
    {
        var path = Path.Combine(_remote.Path, "elsewhere-" + Guid.NewGuid().ToString("N")[..6]);
        GitCli.Run(_remote.Path, "clone", "-q", "-o", "dev", _remote.ServerUrl, path);
        return path;
    }

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

public sealed class LibGit2GitReviewRecordTests : GitReviewRecordTests
{
    protected override IGitRepository OpenBackend(GitLocation location) => new LibGit2Repository(Disk.Files, location, GitProcess.Default);
}

public sealed class CliGitReviewRecordTests : GitReviewRecordTests
{
    protected override IGitRepository OpenBackend(GitLocation location) => new CliGitRepository(Disk.Files, location, GitProcess.Default);
}
