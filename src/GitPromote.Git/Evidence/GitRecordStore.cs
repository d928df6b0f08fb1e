using System.Globalization;
using System.Security.Cryptography;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Core.Push;
using GitPromote.Core.Settings;

namespace GitPromote.Git.Evidence;

/// <summary>
/// An environment's records on its own git remote. Green: an annotated tag (tagger = who, when; message =
/// <see cref="RecordJson.GreenBody"/>) at <c>refs/promote/green/&lt;commit&gt;</c>, replaced when recorded again.
/// Bypass: an annotated tag with <see cref="RecordJson.BypassBody"/> at a new, unique
/// <c>refs/promote/bypass/&lt;UTC time&gt;-&lt;commit&gt;-&lt;random&gt;</c>. Deployment events: the same, with
/// <see cref="RecordJson.DeploymentBody"/>, at <c>refs/promote/deploy/&lt;UTC time&gt;-&lt;commit&gt;-&lt;random&gt;</c>.
/// Reading records back fetches them into <c>refs/promote/remotes/&lt;env&gt;/...</c> of the local repository.
/// </summary>
public sealed class GitRecordStore : IRecordStore, IPrunableStore
{
    /// <summary>At most this many records are fetched one by one when fetching them all at once fails.</summary>
    private const int MaxFetchedOneByOne = 1000;

    private readonly IGitRepository _repository;
    private readonly IGitRemoteClient _client;
    private readonly EnvironmentPolicy _environment;
    private readonly RecordsRemote _records;

    /// <param name="listOnly">Read revocations and approvals without writing to this repository (a server hook in quarantine).</param>
    public GitRecordStore(IGitRepository repository, IGitRemoteClient client, EnvironmentPolicy environment, bool listOnly = false)
    {
        _repository = repository;
        _client = client;
        _environment = environment;
        _records = new RecordsRemote(repository, client, environment, listOnly);
    }

    public string Label => _records.Label;

    public bool KeepsReviews => true;

    public bool KeepsDeployments => true;

    public EnvironmentRemote? Remote => _records.Remote;

    private readonly List<string> _unreadable = [];

    /// <summary>Records the last listings skipped: they could not be fetched (e.g. their commit is missing) or are not records.</summary>
    public IReadOnlyList<string> Unreadable => _unreadable;

    private readonly List<string> _boundReached = [];

    /// <summary>Listings of the last reads that stopped at their bound (more records exist than were read), in words.</summary>
    public IReadOnlyList<string> BoundReached => _boundReached;

    /// <summary>Where fetched records of this environment land locally, e.g. <c>refs/promote/remotes/dev/</c>.</summary>
    public string LocalNamespace => $"refs/promote/remotes/{RefComponent(_environment.Name)}/";

    public async Task RecordGreenAsync(string commit, Identity by, DateTimeOffset at, CancellationToken cancellationToken, string? forced = null)
    {
        var remote = RemoteOrThrow();
        CheckCommit(commit);
        var what = $"cannot record {ObjectIds.Short(commit)} as green in '{_environment.Name}'";
        var tag = WriteTag(commit, "promote-green-" + ObjectIds.Short(commit), by, at,
            RecordJson.GreenBody(commit, _environment.Name, by, at, forced), what);
        var refName = RecordRefs.GreenPrefix + commit;
        // Pipelines retried in parallel record the same commit at once; on the remote one update wins and the others
        // fail to lock the ref. A record that is there is what was asked for; a race lost to something else is retried.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _client.PushAsync(remote.Remote, [$"+{tag}:{refName}"], cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (GitCommandException e) when (!cancellationToken.IsCancellationRequested)
            {
                if (await IsGreenOnRemoteAsync(remote, refName, commit, cancellationToken).ConfigureAwait(false)) return;
                if (attempt >= MaxRecordAttempts)
                    throw GitEvidenceFailures.Unavailable($"{what}: push to {remote.Display} failed", e, IsLockRace(e)
                        ? "another writer was updating the same record at the same time: run the same command again"
                        : $"check that you may push to {remote.Display} (refs/promote/*), then try again");
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(50, 200) * attempt), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (Deadline.Passed(e, cancellationToken))
            {
                throw GitEvidenceFailures.Unavailable($"{what}: push to {remote.Display} failed", e,
                    $"check that {remote.Display} answers, then try again");
            }
        }
    }

    private const int MaxRecordAttempts = 4;

    private static bool IsLockRace(GitCommandException e) =>
        e.Message.Contains("cannot lock ref", StringComparison.Ordinal) || e.Message.Contains("failed to update ref", StringComparison.Ordinal)
        || e.StandardError.Contains("cannot lock ref", StringComparison.Ordinal) || e.StandardError.Contains("failed to update ref", StringComparison.Ordinal);

    /// <summary>Whether the remote now holds the green record of <paramref name="commit"/> (as after a concurrent record).</summary>
    private async Task<bool> IsGreenOnRemoteAsync(EnvironmentRemote remote, string refName, string commit, CancellationToken cancellationToken)
    {
        try
        {
            var refs = await _client.ListRefsAsync(remote.Remote, [refName], cancellationToken).ConfigureAwait(false);
            return refs.Any(r => r.Name == refName && string.Equals(r.Peeled ?? r.Id, commit, StringComparison.OrdinalIgnoreCase));
        }
        catch (GitCommandException)
        {
            return false;
        }
    }

    public Task RecordBypassAsync(BypassRecord record, CancellationToken cancellationToken) =>
        CreateRecordAsync(record.Commit, "bypass", record.By, record.At, RecordJson.BypassBody(record), BypassRefName(record), cancellationToken);

    /// <summary>A new annotated tag at <c>refs/promote/deploy/&lt;time&gt;-&lt;commit&gt;-&lt;random&gt;</c>; never replaces one.</summary>
    public Task RecordDeploymentAsync(DeploymentEvent deployment, CancellationToken cancellationToken) =>
        CreateRecordAsync(deployment.Commit, "deployment", deployment.By, deployment.At, RecordJson.DeploymentBody(deployment),
            RecordRefs.DeployPrefix + DeploymentNames.Name(deployment.At, deployment.Commit, RandomNumberGenerator.GetHexString(4, lowercase: true)),
                cancellationToken);

    /// <summary>An annotated tag with <paramref name="body"/> on the commit, pushed to a new <paramref name="refName"/> (an audit record: never
    /// replaced).</summary>
    private async Task CreateRecordAsync(string commit, string kind, Identity by, DateTimeOffset at, string body, string refName,
        CancellationToken cancellationToken)
    {
        var remote = RemoteOrThrow();
        CheckCommit(commit);
        var what = $"cannot record the {kind} of {ObjectIds.Short(commit)} in '{_environment.Name}'";
        var tag = WriteTag(commit, $"promote-{(kind == "deployment" ? "deploy" : kind)}-" + ObjectIds.Short(commit), by, at, body, what);
        await PushAsync(remote, [$"{tag}:{refName}"], what, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Deployment events, oldest first: one fetch of <c>refs/promote/deploy/*</c>; the bodies of events older than
    /// <paramref name="detailsSince"/> are not read (their names say commit and time).
    /// </summary>
    public async Task<IReadOnlyList<DeploymentEvent>> ListDeploymentsAsync(DateTimeOffset detailsSince, CancellationToken cancellationToken)
    {
        var refs = await FetchRecordsAsync(RecordRefs.DeployPrefix, "deploy", cancellationToken).ConfigureAwait(false);
        return ToDeployments(refs, detailsSince);
    }

    /// <summary>The record kinds a history reads, fetched together: (remote prefix, local folder).</summary>
    private static readonly (string Prefix, string Kind)[] HistoryKinds =
    [
        (RecordRefs.DeployPrefix, "deploy"), (RecordRefs.BypassPrefix, "bypass"), (RecordRefs.GreenPrefix, "green"),
        (RecordRefs.RevokedPrefix, "revoked"), (RecordRefs.LiftedPrefix, "revoked-lifted"),
    ];

    /// <summary>One fetch of every kind of record a history reads (one listing of the remote), then each read as its own listing would.</summary>
    public async Task<StoredHistory> ReadHistoryAsync(DateTimeOffset detailsSince, int maxGreen, CancellationToken cancellationToken)
    {
        await FetchAsync(HistoryKinds, cancellationToken).ConfigureAwait(false);
        return new StoredHistory(
            ToDeployments(_repository.ListRefs(LocalNamespace + "deploy/"), detailsSince),
            ToBypasses(_repository.ListRefs(LocalNamespace + "bypass/")),
            ToGreen(_repository.ListRefs(LocalNamespace + "green/"), maxGreen),
            ToRevocations(_repository.ListRefs(LocalNamespace + "revoked/")),
            ToLifted(_repository.ListRefs(LocalNamespace + "revoked-lifted/")));
    }

    public bool KeepsGreenOf(EvidenceSource source) => source is GitEvidence;

    /// <summary>Null: git refs keep one version of a record, so there are no histories to check.</summary>
    public Task<(IReadOnlyList<RecordFinding> Findings, string? NotChecked)?> CheckRecordHistoriesAsync(CancellationToken cancellationToken) =>
        Task.FromResult<(IReadOnlyList<RecordFinding>, string?)?>(null);

    private List<DeploymentEvent> ToDeployments(IReadOnlyList<RefRecord> refs, DateTimeOffset detailsSince)
    {
        var local = LocalNamespace + "deploy/";
        var unreadable = new List<string>();
        if (refs.Count > DeploymentNames.MaxListed)
            _boundReached.Add($"{RecordRefs.DeployPrefix}*: only {DeploymentNames.MaxListed} of {refs.Count} events were read");
        var events = DeploymentNames.FromListing(_environment.Name, refs.Take(DeploymentNames.MaxListed).Select(r => (r.Name[local.Length..], r.Tag?.Message)),
            detailsSince, unreadable);
        _unreadable.AddRange(unreadable.Select(name => RecordRefs.DeployPrefix + name));
        return events;
    }

    /// <summary>Bypass records of this environment, oldest first.</summary>
    public async Task<IReadOnlyList<BypassRecord>> ListBypassesAsync(CancellationToken cancellationToken)
    {
        var refs = await FetchRecordsAsync(RecordRefs.BypassPrefix, "bypass", cancellationToken).ConfigureAwait(false);
        return ToBypasses(refs);
    }

    private List<BypassRecord> ToBypasses(IReadOnlyList<RefRecord> refs)
    {
        var local = LocalNamespace + "bypass/";
        // Its id is the ref name's tail: the deployment that uses the bypass names it so (DeploymentEvent.Bypass).
        var read = refs.Select(r => (Ref: r.Name, Record: RecordJson.ReadBypass(r.Tag?.Message) is { } b ? b with { Id = r.Name[local.Length..] } : null))
            .ToList();
        _unreadable.AddRange(read.Where(x => x.Record is null).Select(x => RecordRefs.BypassPrefix + x.Ref[local.Length..]));
        return read
            .Where(x => x.Record is not null)
            .OrderBy(x => x.Record!.At)
            .ThenBy(x => x.Ref, StringComparer.Ordinal)
            .Select(x => x.Record!)
            .ToList();
    }

    /// <summary>
    /// Reads the refs the records name from the environment's remote (their history lands under
    /// <c>refs/promote/remotes/&lt;env&gt;/landed/</c>) and returns the records whose commit is neither a tip nor in the history of
    /// its ref. A ref that is not a plain ref name (a record written by hand) counts as not seen.
    /// </summary>
    public async Task<IReadOnlySet<BypassRecord>?> NotSeenLandedAsync(IReadOnlyList<BypassRecord> records, CancellationToken cancellationToken)
    {
        var notSeen = new HashSet<BypassRecord>(ReferenceEqualityComparer.Instance);
        if (records.Count == 0) return notSeen;
        var remote = RemoteOrThrow();
        var names = records.Select(r => r.Ref).Where(IsPlainRefName).Distinct(StringComparer.Ordinal).ToList();
        var local = LocalNamespace + "landed/";
        var tips = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            if (names.Count > 0)
            {
                foreach (var r in await _client.ListRefsAsync(remote.Remote, names, cancellationToken).ConfigureAwait(false))
                    if (names.Contains(r.Name, StringComparer.Ordinal)) tips[r.Name] = r.Id;
                if (tips.Count > 0)
                    await _client.FetchAsync(remote.Remote, tips.Keys.Select(n => $"+{n}:{local}{n["refs/".Length..]}").ToList(),
                        cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is GitCommandException || Deadline.Passed(e, cancellationToken))
        {
            throw GitEvidenceFailures.Unavailable($"cannot tell which bypasses landed in '{_environment.Name}'", e,
                $"check that {remote.Display} answers, then run the audit again");
        }
        foreach (var record in records)
        {
            var landed = tips.TryGetValue(record.Ref, out var tip)
                && (string.Equals(tip, record.Commit, StringComparison.OrdinalIgnoreCase) || _repository.IsAncestor(record.Commit, tip) == true);
            if (!landed) notSeen.Add(record);
        }
        return notSeen;
    }

    private static bool IsPlainRefName(string name) =>
        name.StartsWith("refs/", StringComparison.Ordinal) && name.Length <= 255 && !name.Contains("..", StringComparison.Ordinal)
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '-' or '_' or '.');

    /// <summary>
    /// Green records with who and when (from the tag's JSON body, else its tagger line; null for a plain ref to the commit),
    /// newest first, at most <paramref name="max"/>. Fetches <c>refs/promote/green/*</c> (and the commits they name).
    /// </summary>
    public async Task<IReadOnlyList<GreenFact>> ListGreenWithDetailsAsync(int max, CancellationToken cancellationToken)
    {
        var refs = await FetchRecordsAsync(RecordRefs.GreenPrefix, "green", cancellationToken).ConfigureAwait(false);
        return ToGreen(refs, max);
    }

    private List<GreenFact> ToGreen(IReadOnlyList<RefRecord> refs, int max)
    {
        var local = LocalNamespace + "green/";
        var facts = new List<GreenFact>();
        foreach (var r in refs)
        {
            var commit = r.Name[local.Length..].ToLowerInvariant();
            if (!ObjectIds.IsValid(commit))
            {
                _unreadable.Add(RecordRefs.GreenPrefix + r.Name[local.Length..]);
                continue;
            }
            var (at, by) = RecordJson.ReadGreen(r.Tag?.Message);
            at ??= r.Tag?.When;
            by ??= r.Tag?.Tagger?.ToString();
            facts.Add(new GreenFact(commit, $"git ref on {_environment.Name}", at, by) { Forced = RecordJson.ReadGreenForced(r.Tag?.Message) });
        }
        if (facts.Count > max) _boundReached.Add($"{RecordRefs.GreenPrefix}*: only the newest {max} of {facts.Count} green records were read");
        return facts
            .OrderByDescending(f => f.RecordedAt ?? DateTimeOffset.MinValue)
            .ThenBy(f => f.Commit, StringComparer.Ordinal)
            .Take(Math.Max(0, max))
            .ToList();
    }

    public async Task<ReviewRecords> FindReviewsAsync(IReadOnlyCollection<string> commits, bool approvals, CancellationToken cancellationToken)
    {
        var found = await _records.FetchAsync([], commits, approvals, $"cannot read the revocations of '{_environment.Name}'",
            RecordRefs.RevokedPrefix, cancellationToken).ConfigureAwait(false);
        return GitReviewRefs.FromFetched(Label, _environment.Name, found, commits, approvals, approvalDetails: true);
    }

    /// <summary>
    /// Writes <c>refs/promote/revoked/&lt;commit&gt;</c>; never replaces one that stands. (An unforced push would not stop
    /// that: both tags peel to the same commit, which git counts as a fast-forward. So the remote is asked first.)
    /// </summary>
    public async Task RecordRevocationAsync(Revocation revocation, CancellationToken cancellationToken)
    {
        var remote = RemoteOrThrow();
        CheckCommit(revocation.Commit);
        var what = $"cannot record the revocation of {ObjectIds.Short(revocation.Commit)} in '{_environment.Name}'";
        if ((await FindReviewsAsync([revocation.Commit], approvals: false,
            cancellationToken).ConfigureAwait(false)).RevocationOf(revocation.Commit) is not null)
            throw new EvidenceUnavailableException(new EvidenceFailure(what, "it is already revoked there", "see: git promote status"));
        var tag = WriteTag(revocation.Commit, "promote-revoked-" + ObjectIds.Short(revocation.Commit), revocation.By ?? Identity.Unknown,
            revocation.At ?? throw WrittenWithoutTime(nameof(revocation)), RecordJson.RevocationBody(revocation), what);
        await PushAsync(remote, [$"{tag}:{GitReviewRefs.Revoked(revocation.Commit)}"], what, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>In one atomic push: the lifted record under <c>refs/promote/revoked-lifted/</c> is created and the revocation deleted.</summary>
    public async Task LiftRevocationAsync(Revocation revocation, Identity by, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var remote = RemoteOrThrow();
        CheckCommit(revocation.Commit);
        var what = $"cannot lift the revocation of {ObjectIds.Short(revocation.Commit)} in '{_environment.Name}'";
        var lifted = new LiftedRevocation(revocation, by, at);
        var tag = WriteTag(revocation.Commit, "promote-lifted-" + ObjectIds.Short(revocation.Commit), by, at, RecordJson.LiftedRevocationBody(lifted), what);
        var stamp = at.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var liftedRef = $"{RecordRefs.LiftedPrefix}{stamp}-{revocation.Commit}-{RandomNumberGenerator.GetHexString(4, lowercase: true)}";
        await PushAsync(remote, [$"{tag}:{liftedRef}", $":{GitReviewRefs.Revoked(revocation.Commit)}"], what, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes (or replaces: one approval per identity) <c>refs/promote/approval/&lt;commit&gt;/&lt;approver id&gt;</c>.</summary>
    public async Task RecordApprovalAsync(Approval approval, CancellationToken cancellationToken)
    {
        var remote = RemoteOrThrow();
        CheckCommit(approval.Commit);
        if (!ApproverIds.IsValid(approval.ApproverId)) throw new ArgumentException($"not an approver id: '{approval.ApproverId}'", nameof(approval));
        var what = $"cannot record the approval of {ObjectIds.Short(approval.Commit)} for '{_environment.Name}'";
        var tag = WriteTag(approval.Commit, "promote-approval-" + ObjectIds.Short(approval.Commit), approval.By ?? Identity.Unknown,
            approval.At ?? throw WrittenWithoutTime(nameof(approval)), RecordJson.ApprovalBody(approval), what);
        await PushAsync(remote, [$"+{tag}:{GitReviewRefs.Approval(approval.Commit, approval.ApproverId)}"], what, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<Revocation>> ListRevocationsAsync(CancellationToken cancellationToken)
    {
        var refs = await FetchRecordsAsync(RecordRefs.RevokedPrefix, "revoked", cancellationToken).ConfigureAwait(false);
        return ToRevocations(refs);
    }

    private List<Revocation> ToRevocations(IReadOnlyList<RefRecord> refs)
    {
        var local = LocalNamespace + "revoked/";
        // A revocation is named by its commit: anything else under the prefix is named as unreadable, not skipped silently.
        _unreadable.AddRange(refs.Select(r => r.Name[local.Length..]).Where(n => !ObjectIds.IsValid(n.ToLowerInvariant()))
            .Select(n => RecordRefs.RevokedPrefix + n));
        return refs
            .Select(r => (Commit: r.Name[local.Length..].ToLowerInvariant(), r.Tag))
            .Where(x => ObjectIds.IsValid(x.Commit))
            .Select(x => RecordJson.ReadRevocation(x.Tag?.Message) is { } full
                ? full with { Environment = _environment.Name, Commit = x.Commit }
                : new Revocation(_environment.Name, x.Commit, null, x.Tag?.Tagger, x.Tag?.When))
            .OrderBy(r => r.At ?? DateTimeOffset.MinValue).ThenBy(r => r.Commit, StringComparer.Ordinal)
            .ToList();
    }

    public async Task<IReadOnlyList<LiftedRevocation>> ListLiftedRevocationsAsync(CancellationToken cancellationToken)
    {
        var refs = await FetchRecordsAsync(RecordRefs.LiftedPrefix, "revoked-lifted", cancellationToken).ConfigureAwait(false);
        return ToLifted(refs);
    }

    private List<LiftedRevocation> ToLifted(IReadOnlyList<RefRecord> refs)
    {
        var local = LocalNamespace + "revoked-lifted/";
        var read = refs.Select(r => (r.Name, Lifted: RecordJson.ReadLiftedRevocation(r.Tag?.Message))).ToList();
        // A lift is a record of that very commit; anything else under the prefix is named, not shown as a lift.
        _unreadable.AddRange(read.Where(x => x.Lifted is null || !x.Name.Contains(x.Lifted.Revocation.Commit, StringComparison.OrdinalIgnoreCase))
            .Select(x => RecordRefs.LiftedPrefix + x.Name[local.Length..]));
        return read.Where(x => x.Lifted is not null && x.Name.Contains(x.Lifted.Revocation.Commit, StringComparison.OrdinalIgnoreCase))
            .Select(x => x.Lifted!).OrderBy(l => l.At).ToList();
    }

    /// <summary>
    /// Every record under <c>refs/promote/</c> on the remote (one <c>ls-remote</c>), with the time of green records and
    /// approvals from their tags (one fetch of those two namespaces). Other records are only named: prune keeps them.
    /// </summary>
    public async Task<IReadOnlyList<StoredRecord>> ListRecordsAsync(CancellationToken cancellationToken)
    {
        var remote = RemoteOrThrow();
        const string root = "refs/promote/";
        var listed = await _records.ListAsync(root, $"cannot list the records of '{_environment.Name}'", cancellationToken).ConfigureAwait(false);
        var greenLocal = LocalNamespace + "green/";
        var approvalLocal = LocalNamespace + "approval/";
        try
        {
            await _client.FetchAsync(remote.Remote,
                [$"+{RecordRefs.GreenPrefix}*:{greenLocal}*", $"+{RecordRefs.ApprovalPrefix}*:{approvalLocal}*"], prune: true,
                    cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is GitCommandException || Deadline.Passed(e, cancellationToken))
        {
            throw GitEvidenceFailures.Unavailable($"cannot read the green records of '{_environment.Name}' from {remote.Display}", e,
                $"check that the remote answers: git fetch {remote.Argument} '{RecordRefs.GreenPrefix}*'", remote);
        }
        var fetched = _repository.ListRefs([greenLocal, approvalLocal]).ToDictionary(r => root + r.Name[LocalNamespace.Length..], StringComparer.Ordinal);

        var records = new List<StoredRecord>();
        foreach (var r in listed)
        {
            var tag = fetched.GetValueOrDefault(r.Name)?.Tag;
            if (r.Name.StartsWith(RecordRefs.GreenPrefix, StringComparison.Ordinal)
                && r.Name[RecordRefs.GreenPrefix.Length..].ToLowerInvariant() is var commit && ObjectIds.IsValid(commit))
            {
                // A plain ref to the commit has no time: prune keeps it (its age cannot be shown).
                var at = tag is null ? null : RecordJson.ReadGreen(tag.Message).At ?? tag.When;
                records.Add(new StoredRecord(r.Name, StoredRecordKind.Green, commit, at, r.Id));
            }
            else if (RecordRefs.ApprovalOf(r.Name) is { } approval)
                records.Add(new StoredRecord(r.Name, StoredRecordKind.Approval, approval.Commit,
                    RecordJson.ReadApproval(tag?.Message)?.At ?? tag?.When, r.Id));
            else if (RecordRefs.RevokedCommit(r.Name) is { } revoked)
                records.Add(new StoredRecord(r.Name, StoredRecordKind.Revocation, revoked, null, r.Id));
            else if (r.Name.StartsWith(RecordRefs.BypassPrefix, StringComparison.Ordinal))
                records.Add(new StoredRecord(r.Name, StoredRecordKind.Bypass, null, null, r.Id));
            else if (r.Name.StartsWith(RecordRefs.LiftedPrefix, StringComparison.Ordinal))
                records.Add(new StoredRecord(r.Name, StoredRecordKind.LiftedRevocation, null, null, r.Id));
            else if (r.Name.StartsWith(RecordRefs.DeployPrefix, StringComparison.Ordinal)
                && DeploymentNames.Parse(r.Name[RecordRefs.DeployPrefix.Length..]) is { } deployed)
                records.Add(new StoredRecord(r.Name, StoredRecordKind.Deployment, deployed.Commit, deployed.At, r.Id));
            else
                records.Add(new StoredRecord(r.Name, StoredRecordKind.Unknown, null, null, r.Id));
        }
        return records;
    }

    /// <summary>Refs per push: each costs a lease and a refspec (~150 characters), and a Windows command line holds 32,767.</summary>
    public const int DeleteBatch = 150;

    /// <summary>Deletes in atomic pushes of <see cref="DeleteBatch"/> refs, each ref only if it still holds the record prune judged.</summary>
    public async Task DeleteAsync(IReadOnlyList<StoredRecord> records, Action<IReadOnlyList<StoredRecord>> deleted, CancellationToken cancellationToken)
    {
        if (records.Count == 0) return;
        var remote = RemoteOrThrow();
        foreach (var r in records)
            if (r.Kind is not (StoredRecordKind.Green or StoredRecordKind.Approval or StoredRecordKind.Deployment) || r.Version is null)
                throw new ArgumentException($"prune deletes green records, approvals and deployment events only, as listed: {r.Name}", nameof(records));
        foreach (var batch in records.Chunk(DeleteBatch))
        {
            try
            {
                await _client.DeleteRefsAsync(remote.Remote, batch.Select(r => (r.Name, r.Version!)).ToList(), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is GitCommandException || Deadline.Passed(e, cancellationToken))
            {
                throw GitEvidenceFailures.Unavailable($"cannot delete records of '{_environment.Name}' on {remote.Display}", e,
                    $"check that you may delete refs/promote/* on {remote.Display} (on a guarded server: an account in git config " +
                        $"{PromoteSettings.GitKeys.Recorders}), then run prune again");
            }
            deleted(batch);
        }
    }

    internal static string BypassRefName(BypassRecord record)
    {
        var stamp = record.At.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        return $"{RecordRefs.BypassPrefix}{stamp}-{record.Commit}-{RandomNumberGenerator.GetHexString(4, lowercase: true)}";
    }

    private async Task<IReadOnlyList<RefRecord>> FetchRecordsAsync(string remotePrefix, string kind, CancellationToken cancellationToken)
    {
        await FetchAsync([(remotePrefix, kind)], cancellationToken).ConfigureAwait(false);
        return _repository.ListRefs(LocalNamespace + kind + "/");
    }

    /// <summary>Fetches the records of each kind into <c>LocalNamespace/&lt;kind&gt;/</c>, pruning what the remote no longer has: one fetch for all.</summary>
    private async Task FetchAsync(IReadOnlyList<(string Prefix, string Kind)> kinds, CancellationToken cancellationToken)
    {
        var remote = RemoteOrThrow();
        var what = kinds.Count == 1 ? $"{kinds[0].Kind} records" : "records";
        try
        {
            await _client.FetchAsync(remote.Remote, kinds.Select(k => $"+{k.Prefix}*:{LocalNamespace}{k.Kind}/*").ToList(), prune: true, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (GitCommandException) when (!cancellationToken.IsCancellationRequested)
        {
            // One bad record (a tag whose commit never landed) fails the whole fetch: fetch them one by one, skip and name the bad.
            foreach (var (prefix, kind) in kinds)
                await FetchOneByOneAsync(remote, prefix, LocalNamespace + kind + "/", kind, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is GitCommandException || Deadline.Passed(e, cancellationToken))
        {
            throw RecordsRemote.Unavailable($"cannot read {what} of '{_environment.Name}'", remote, e, kinds.Count == 1 ? kinds[0].Prefix
                : RecordRefs.Namespace);
        }
    }

    private async Task FetchOneByOneAsync(EnvironmentRemote remote, string remotePrefix, string local, string kind, CancellationToken cancellationToken)
    {
        var listed = await _records.ListAsync(remotePrefix, $"cannot read {kind} records of '{_environment.Name}'", cancellationToken).ConfigureAwait(false);
        var names = listed.Select(r => r.Name).Where(n => n.StartsWith(remotePrefix, StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        foreach (var name in names.Order(StringComparer.Ordinal).Take(MaxFetchedOneByOne))
        {
            try
            {
                await _client.FetchAsync(remote.Remote, [$"+{name}:{local}{name[remotePrefix.Length..]}"], cancellationToken).ConfigureAwait(false);
            }
            catch (GitCommandException) when (!cancellationToken.IsCancellationRequested)
            {
                _unreadable.Add(name);
            }
        }
    }

    private string WriteTag(string commit, string tagName, Identity by, DateTimeOffset at, string body, string what)
    {
        try
        {
            return _repository.WriteTagObject(commit, tagName, by, at, body);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw GitEvidenceFailures.Unavailable(what, e, "fetch the commit into this repository (git fetch), then try again");
        }
    }

    private async Task PushAsync(EnvironmentRemote remote, IReadOnlyList<string> refspecs, string what, CancellationToken cancellationToken)
    {
        try
        {
            await _client.PushAsync(remote.Remote, refspecs, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is GitCommandException || Deadline.Passed(e, cancellationToken))
        {
            throw GitEvidenceFailures.Unavailable($"{what}: push to {remote.Display} failed", e,
                $"check that you may push to {remote.Display} (refs/promote/*), then try again");
        }
    }

    private EnvironmentRemote RemoteOrThrow() => _records.RemoteOrThrow();

    private static void CheckCommit(string commit)
    {
        if (!ObjectIds.IsValid(commit)) throw new ArgumentException($"not a full commit id: '{commit}'", nameof(commit));
    }

    /// <summary>A review is written at the time its caller's clock says (the command's context): this store reads no clock.</summary>
    private static ArgumentException WrittenWithoutTime(string name) => new($"a {name} is written with its time (At)", name);

    /// <summary>An environment name as one ref path component: anything unusual becomes '_'.</summary>
    public static string RefComponent(string name)
    {
        var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray();
        var s = new string(chars);
        return s.Length == 0 ? "_" : s;
    }
}
