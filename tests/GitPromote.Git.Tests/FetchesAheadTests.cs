namespace GitPromote.Git.Tests;

public sealed class FetchesAheadTests
{
    private static readonly string[] Green = ["+refs/promote/green/abc*:refs/promote/remotes/dev/green/abc*"];
    private static readonly string[] Other = ["+refs/promote/green/def*:refs/promote/remotes/dev/green/def*"];

    /// <summary>Fetches that finish when the test says so, counted by what they were asked.</summary>
    private sealed class HeldClient : IGitRemoteClient
    {
        public readonly List<(string Remote, string Specs, TaskCompletionSource Done)> Fetches = [];

        public Task FetchAsync(string remote, IReadOnlyList<string> refspecs, bool prune, CancellationToken cancellationToken)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (Fetches) Fetches.Add((remote, string.Join(' ', refspecs), done));
            return done.Task;
        }

        public Task FetchAsync(string remote, IReadOnlyList<string> refspecs, CancellationToken cancellationToken) =>
            FetchAsync(remote, refspecs, prune: false, cancellationToken);

        public Task<IReadOnlyList<RemoteRef>> ListRefsAsync(string remote, IReadOnlyList<string> refPrefixes, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<RemoteRef>>([]);

        public Task PushAsync(string remote, IReadOnlyList<string> refspecs, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [Fact]
    public async Task The_gates_identical_fetch_joins_the_one_started_ahead_instead_of_starting_another()
    {
        var inner = new HeldClient();
        var ahead = new FetchesAhead(inner);
        var started = ahead.Starting.FetchAsync("dev", Green, prune: true, CancellationToken.None);
        var joined = ahead.Joining.FetchAsync("dev", Green, prune: true, CancellationToken.None);

        Assert.Single(inner.Fetches);
        Assert.False(joined.IsCompleted);
        inner.Fetches[0].Done.SetResult();
        await joined;
        await started;
    }

    [Fact]
    public async Task A_fetch_started_ahead_is_joined_once_so_a_later_read_is_fresh()
    {
        var inner = new HeldClient();
        var ahead = new FetchesAhead(inner);
        _ = ahead.Starting.FetchAsync("dev", Green, prune: true, CancellationToken.None);
        inner.Fetches[0].Done.SetResult();
        await ahead.Joining.FetchAsync("dev", Green, prune: true, CancellationToken.None);

        var again = ahead.Joining.FetchAsync("dev", Green, prune: true, CancellationToken.None);

        Assert.Equal(2, inner.Fetches.Count);
        inner.Fetches[1].Done.SetResult();
        await again;
    }

    [Theory]
    [InlineData("stg", false, "green")]
    [InlineData("dev", true, "green")]
    [InlineData("dev", false, "other")]
    public async Task A_fetch_that_differs_in_remote_pruning_or_refspecs_is_not_joined_and_waits_for_the_one_under_way(string remote, bool prune,
        string specs)
    {
        var inner = new HeldClient();
        var ahead = new FetchesAhead(inner);
        _ = ahead.Starting.FetchAsync("dev", Green, prune: false, CancellationToken.None);

        var own = ahead.Joining.FetchAsync(remote, specs == "green" ? Green : Other, prune, CancellationToken.None);

        // Two fetches never write the same refs at once: the gate's own starts once the guess has finished.
        Assert.Single(inner.Fetches);
        inner.Fetches[0].Done.SetException(new GitCommandException("fetch failed", 128, ""));
        await WaitUntil(() => inner.Fetches.Count == 2);
        Assert.Equal(remote, inner.Fetches[1].Remote);
        inner.Fetches[1].Done.SetResult();
        await own;
    }

    [Fact]
    public async Task Once_the_gate_has_fetched_nothing_more_starts_ahead()
    {
        var inner = new HeldClient();
        var ahead = new FetchesAhead(inner);
        var own = ahead.Joining.FetchAsync("dev", Other, prune: true, CancellationToken.None);

        var late = ahead.Starting.FetchAsync("dev", Green, prune: true, CancellationToken.None);

        Assert.True(late.IsCompletedSuccessfully);
        Assert.Single(inner.Fetches);
        inner.Fetches[0].Done.SetResult();
        await own;
    }

    [Fact]
    public async Task Settling_waits_for_every_fetch_started_ahead_and_swallows_their_failures()
    {
        var inner = new HeldClient();
        var ahead = new FetchesAhead(inner);
        _ = ahead.Starting.FetchAsync("dev", Green, prune: true, CancellationToken.None);
        _ = ahead.Starting.FetchAsync("stg", Other, prune: true, CancellationToken.None);

        var settled = ahead.SettleAsync();

        Assert.False(settled.IsCompleted);
        inner.Fetches[0].Done.SetResult();
        Assert.False(settled.IsCompleted);
        inner.Fetches[1].Done.SetException(new GitCommandException("no such remote", 128, ""));
        await settled;
        Assert.True(ahead.Starting.FetchAsync("dev", Green, prune: true, CancellationToken.None).IsCompletedSuccessfully);
        Assert.Equal(2, inner.Fetches.Count);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++) await Task.Delay(10);
        Assert.True(condition());
    }
}
