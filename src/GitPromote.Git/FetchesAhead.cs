namespace GitPromote.Git;

/// <summary>
/// Fetches started ahead of need, and taken up by the first identical fetch that follows: a guarded push asks for the
/// records of the ids it pushes while the repository opens and peels them, and the gate's own fetch of the same
/// records, a moment later, joins the one under way instead of starting a second. A fetch is joined once, and only
/// when remote, refspecs and pruning are the same, so a later read (after a record was written) is always fresh.
/// Once the first fetch that is not ahead begins, none more starts ahead, and a fetch that differs from those under way
/// waits for them first: two fetches never write the same refs at once.
/// </summary>
public sealed class FetchesAhead(IGitRemoteClient inner)
{
    private readonly Dictionary<string, Task> _started = new(StringComparer.Ordinal);
    private readonly List<Task> _all = [];
    private readonly object _gate = new();
    private bool _closed;

    /// <summary>A client whose fetches start now and wait to be joined (its other calls are the inner client's).</summary>
    public IGitRemoteClient Starting => new Client(inner, this, ahead: true);

    /// <summary>A client whose fetches join a started identical one when there is one.</summary>
    public IGitRemoteClient Joining => new Client(inner, this, ahead: false);

    /// <summary>Every fetch started ahead, to wait for before the process ends (none is left running behind it).</summary>
    public Task SettleAsync()
    {
        lock (_gate)
        {
            _closed = true;
            return Quietly(Task.WhenAll(_all));
        }
    }

    private static async Task Quietly(Task task)
    {
        try { await task.ConfigureAwait(false); }
        // Any cancellation, whichever deadline: waiting for the fetches to end is all this does; the fetch that joins one reports it.
        catch (Exception e) when (e is GitCommandException or OperationCanceledException) { }
    }

    private Task Ahead(string key, Func<Task> fetch)
    {
        lock (_gate)
        {
            if (_closed) return Task.CompletedTask;
            var started = fetch();
            _started[key] = started;
            _all.Add(started);
            return started;
        }
    }

    private Task Join(string key, Func<Task> fetch)
    {
        Task before;
        lock (_gate)
        {
            _closed = true;
            if (_started.Remove(key, out var started)) return started;
            before = Quietly(Task.WhenAll(_all));
        }
        return before.IsCompleted ? fetch() : AfterAsync(before, fetch);
    }

    private static async Task AfterAsync(Task before, Func<Task> fetch)
    {
        await before.ConfigureAwait(false);
        await fetch().ConfigureAwait(false);
    }

    private static string Key(string remote, IReadOnlyList<string> refspecs, bool prune) =>
        $"{remote}\0{prune}\0{string.Join('\0', refspecs)}";

    private sealed class Client(IGitRemoteClient inner, FetchesAhead board, bool ahead) : IGitRemoteClient
    {
        public Task<IReadOnlyList<RemoteRef>> ListRefsAsync(string remote, IReadOnlyList<string> refPrefixes, CancellationToken cancellationToken) =>
            inner.ListRefsAsync(remote, refPrefixes, cancellationToken);

        public Task PushAsync(string remote, IReadOnlyList<string> refspecs, CancellationToken cancellationToken) =>
            inner.PushAsync(remote, refspecs, cancellationToken);

        public Task DeleteRefsAsync(string remote, IReadOnlyList<(string Ref, string Expected)> refs, CancellationToken cancellationToken) =>
            inner.DeleteRefsAsync(remote, refs, cancellationToken);

        public Task FetchAsync(string remote, IReadOnlyList<string> refspecs, CancellationToken cancellationToken) =>
            FetchAsync(remote, refspecs, prune: false, cancellationToken);

        public Task FetchAsync(string remote, IReadOnlyList<string> refspecs, bool prune, CancellationToken cancellationToken)
        {
            var key = Key(remote, refspecs, prune);
            Task Fetch() => inner.FetchAsync(remote, refspecs, prune, cancellationToken);
            return ahead ? board.Ahead(key, Fetch) : board.Join(key, Fetch);
        }
    }
}
