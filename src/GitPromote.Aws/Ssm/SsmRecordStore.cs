using System.Security.Cryptography;
using System.Text;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using GitPromote.Aws.Access;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Core.Push;

namespace GitPromote.Aws.Ssm;

/// <summary>
/// Writes an environment's records to SSM: green as <c>.../green/&lt;sha&gt;</c> (overwritten, so recording twice is
/// harmless), each bypass as its own parameter under <c>.../bypass/</c> and each deployment event under <c>.../deploy/</c>
/// (never overwritten: an audit trail).
/// </summary>
public sealed class SsmRecordStore(AwsEnvironmentAccess access, SsmLayout layout) : IRecordStore, IReviewStore, IReportsUnreadableRecords, IReportsListingBound,
    IDeploymentStore
{
    /// <summary>
    /// Records of one kind read back at most: a bound on time and memory, far above any sane count. Reaching it is
    /// reported (<see cref="BoundReached"/>), never silent: junk written under a record path must not hide real records.
    /// </summary>
    public const int MaxBypasses = 10_000;

    private readonly List<string> _unreadable = [];
    private readonly List<string> _boundReached = [];

    /// <summary>Parameters under a record path whose value is not a record, by name, from the listings so far.</summary>
    public IReadOnlyList<string> Unreadable => _unreadable;

    public IReadOnlyList<string> BoundReached => _boundReached;

    public string Label => $"ssm {layout.Root}";

    public Task RecordGreenAsync(string commit, Identity by, DateTimeOffset at, CancellationToken cancellationToken, string? forced = null)
    {
        layout.Validate();
        var sha = commit.ToLowerInvariant();
        if (!ObjectIds.IsValid(sha))
            throw new EvidenceUnavailableException(new EvidenceFailure($"recording {commit} green", "not a full commit id",
                "pass a commit (40 or 64 hex digits)"));
        var name = layout.GreenName(sha);
        return PutAsync(name, RecordJson.GreenBody(sha, layout.Environment, by, at, forced), overwrite: true, cancellationToken);
    }

    public Task RecordBypassAsync(BypassRecord record, CancellationToken cancellationToken)
    {
        layout.Validate();
        var name = layout.BypassName(record with { Commit = record.Commit.ToLowerInvariant() }, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));
        return PutAsync(name, RecordJson.BypassBody(record), overwrite: false, cancellationToken);
    }

    public async Task<IReadOnlyList<BypassRecord>> ListBypassesAsync(CancellationToken cancellationToken)
    {
        layout.Validate();
        var operation = new AwsOperation("ssm:GetParametersByPath", layout.BypassPath);
        return await SsmCall.RunAsync(access, operation, cancellationToken, async (client, token) =>
        {
            var parameters = await ListAsync(client, layout.BypassPath, token).ConfigureAwait(false);
            return ToBypasses(parameters);
        }).ConfigureAwait(false);
    }

    private List<BypassRecord> ToBypasses(IEnumerable<Parameter> parameters)
    {
        var prefix = layout.BypassPath + "/";
        // Its id is the name's tail: the deployment that uses the bypass names it so (DeploymentEvent.Bypass).
        var read = parameters.Select(p => (p.Name, Record: RecordJson.ReadBypass(p.Value) is { } r
            ? r with { Id = p.Name is { } n && n.StartsWith(prefix, StringComparison.Ordinal) ? n[prefix.Length..] : p.Name } : null)).ToList();
        _unreadable.AddRange(read.Where(p => p.Record is null).Select(p => p.Name));
        return read
            .Where(p => p.Record is not null)
            .OrderBy(p => p.Record!.At).ThenBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => p.Record!)
            .ToList();
    }

    public Task RecordDeploymentAsync(DeploymentEvent deployment, CancellationToken cancellationToken)
    {
        layout.Validate();
        var commit = CheckCommit(deployment.Commit, "recording the deployment of");
        var name = layout.DeployName(deployment with { Commit = commit }, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));
        return PutAsync(name, RecordJson.DeploymentBody(deployment with { Commit = commit }), overwrite: false, cancellationToken);
    }

    /// <summary>Every event under <c>.../deploy/</c> (GetParametersByPath, paged, bounded), oldest first.</summary>
    public async Task<IReadOnlyList<DeploymentEvent>> ListDeploymentsAsync(DateTimeOffset detailsSince, CancellationToken cancellationToken)
    {
        layout.Validate();
        return await SsmCall.RunAsync(access, new AwsOperation("ssm:GetParametersByPath", layout.DeployPath), cancellationToken, async (client, token) =>
        {
            var parameters = await SsmPaths.ListAsync(client, layout.DeployPath, DeploymentNames.MaxListed, token).ConfigureAwait(false);
            return ToDeployments(parameters, DateTimeOffset.MinValue);
        }).ConfigureAwait(false);
    }

    /// <summary>Events oldest first; the bodies of those named before <paramref name="detailsSince"/> are not parsed (their names say commit and
    /// time).</summary>
    private List<DeploymentEvent> ToDeployments(IEnumerable<Parameter> parameters, DateTimeOffset detailsSince)
    {
        var unreadable = new List<string>();
        var events = DeploymentNames.FromListing(layout.Environment,
            from p in parameters let tail = layout.DeployTail(p.Name ?? "") where tail is not null select (tail, (string?)p.Value), detailsSince,
            unreadable);
        _unreadable.AddRange(unreadable.Select(tail => $"{layout.DeployPath}/{tail}"));
        return events;
    }

    /// <summary>Deployment, green, bypass and revocation records in any number: a history's listing stops here and says so.</summary>
    public const int MaxHistoryListed = 60_000;

    /// <summary>
    /// One recursive GetParametersByPath of the environment's root (paged, 10 a call, bounded by <see cref="MaxHistoryListed"/>);
    /// each parameter is sorted into its kind by its path. Approvals are listed too (the path holds them) and skipped.
    /// </summary>
    public async Task<StoredHistory> ReadHistoryAsync(DateTimeOffset detailsSince, int maxGreen, CancellationToken cancellationToken)
    {
        layout.Validate();
        return await SsmCall.RunAsync(access, new AwsOperation("ssm:GetParametersByPath", layout.Root), cancellationToken, async (client, token) =>
        {
            var (parameters, more) = await SsmPaths.ListBoundedAsync(client, layout.Root, MaxHistoryListed, token, recursive: true).ConfigureAwait(false);
            if (more) _boundReached.Add($"{layout.Root}: only the first {MaxHistoryListed} parameters were read, and more exist");
            var byKind = parameters.ToLookup(p => layout.KindOf(p.Name ?? ""));
            // What is under the root but no kind of record (a parameter beside the kinds, a kind git-promote does not keep) is named, not skipped silently.
            _unreadable.AddRange(byKind.Where(k => !SsmLayout.RecordKinds.Contains(k.Key)).SelectMany(k => k).Select(p => p.Name ?? ""));
            // A green parameter whose name is not a commit is no green record.
            _unreadable.AddRange(byKind["green"].Where(p => layout.CommitOf(p.Name ?? "") is null).Select(p => p.Name ?? ""));
            return new StoredHistory(
                ToDeployments(byKind["deploy"], detailsSince),
                ToBypasses(byKind["bypass"]),
                SsmEvidenceReader.NewestGreen(layout, byKind["green"], maxGreen),
                ToRevocations(byKind["revoked"]),
                ToLifted(byKind["revoked-lifted"]));
        }).ConfigureAwait(false);
    }

    public bool KeepsGreenOf(EvidenceSource source) => source is SsmEvidence;

    public Task<ReviewRecords> FindReviewsAsync(IReadOnlyCollection<string> commits, bool approvals, CancellationToken cancellationToken) =>
        ReadReviewsAsync(commits, approvals, cancellationToken);

    private async Task<ReviewRecords> ReadReviewsAsync(IReadOnlyCollection<string> commits, bool approvals, CancellationToken cancellationToken) =>
        (await new SsmEvidenceReader(access, layout).FindGreenAndReviewsAsync([], commits, approvals,
            cancellationToken).ConfigureAwait(false)).Reviews with
        { Label = Label };

    /// <summary>Writes <c>.../revoked/&lt;sha&gt;</c> without overwriting: a standing revocation is never replaced.</summary>
    public async Task RecordRevocationAsync(Revocation revocation, CancellationToken cancellationToken)
    {
        layout.Validate();
        var commit = CheckCommit(revocation.Commit, "revoking");
        if ((await ReadReviewsAsync([commit], false, cancellationToken).ConfigureAwait(false)).RevocationOf(commit) is not null)
            throw new EvidenceUnavailableException(new EvidenceFailure($"revoking {ObjectIds.Short(commit)} in {layout.Environment}",
                "it is already revoked there", "see: git promote status"));
        await PutAsync(layout.RevokedName(commit), RecordJson.RevocationBody(revocation with { Commit = commit }), overwrite: false,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the lifted record first, then deletes the revocation: an interruption leaves it revoked, never unrecorded.</summary>
    public async Task LiftRevocationAsync(Revocation revocation, Identity by, DateTimeOffset at, CancellationToken cancellationToken)
    {
        layout.Validate();
        var commit = CheckCommit(revocation.Commit, "lifting the revocation of");
        var lifted = new LiftedRevocation(revocation with { Commit = commit }, by, at);
        await PutAsync(layout.LiftedName(at, commit, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))),
            RecordJson.LiftedRevocationBody(lifted), overwrite: false, cancellationToken).ConfigureAwait(false);
        var name = layout.RevokedName(commit);
        await SsmCall.RunAsync(access, new AwsOperation("ssm:DeleteParameter", name), cancellationToken, async (client, token) =>
        {
            try
            {
                await client.DeleteParameterAsync(new DeleteParameterRequest { Name = name }, token).ConfigureAwait(false);
            }
            catch (ParameterNotFoundException)
            {
                // Lifted by someone else meanwhile: the state asked for is there.
            }
            return true;
        }).ConfigureAwait(false);
    }

    /// <summary>Writes (or replaces: one approval per identity) <c>.../approval/&lt;sha&gt;/&lt;approver id&gt;</c>.</summary>
    public Task RecordApprovalAsync(Approval approval, CancellationToken cancellationToken)
    {
        layout.Validate();
        var commit = CheckCommit(approval.Commit, "approving");
        if (!ApproverIds.IsValid(approval.ApproverId)) throw new ArgumentException($"not an approver id: '{approval.ApproverId}'", nameof(approval));
        return PutAsync(layout.ApprovalName(commit, approval.ApproverId), RecordJson.ApprovalBody(approval with { Commit = commit }), overwrite: true,
            cancellationToken);
    }

    public async Task<IReadOnlyList<Revocation>> ListRevocationsAsync(CancellationToken cancellationToken)
    {
        layout.Validate();
        return await SsmCall.RunAsync(access, new AwsOperation("ssm:GetParametersByPath", layout.RevokedPath), cancellationToken, async (client, token) =>
        {
            var parameters = await ListAsync(client, layout.RevokedPath, token).ConfigureAwait(false);
            return ToRevocations(parameters);
        }).ConfigureAwait(false);
    }

    private List<Revocation> ToRevocations(IEnumerable<Parameter> parameters)
    {
        var read = parameters.Select(p => (p.Name, Record: SsmReviewRecords.ToRevocation(layout, p))).ToList();
        _unreadable.AddRange(read.Where(p => p.Record is null).Select(p => p.Name));
        return read.Select(p => p.Record).OfType<Revocation>()
            .OrderBy(r => r.At ?? DateTimeOffset.MinValue).ThenBy(r => r.Commit, StringComparer.Ordinal).ToList();
    }

    public async Task<IReadOnlyList<LiftedRevocation>> ListLiftedRevocationsAsync(CancellationToken cancellationToken)
    {
        layout.Validate();
        return await SsmCall.RunAsync(access, new AwsOperation("ssm:GetParametersByPath", layout.LiftedPath), cancellationToken, async (client, token) =>
        {
            var parameters = await ListAsync(client, layout.LiftedPath, token).ConfigureAwait(false);
            return ToLifted(parameters);
        }).ConfigureAwait(false);
    }

    private List<LiftedRevocation> ToLifted(IEnumerable<Parameter> parameters)
    {
        var read = parameters.Select(p => (p.Name, Record: RecordJson.ReadLiftedRevocation(p.Value))).ToList();
        _unreadable.AddRange(read.Where(p => p.Record is null).Select(p => p.Name));
        return read.Select(p => p.Record).OfType<LiftedRevocation>().OrderBy(l => l.At).ToList();
    }

    private async Task<List<Parameter>> ListAsync(IAmazonSimpleSystemsManagement client, string path, CancellationToken token)
    {
        var (parameters, more) = await SsmPaths.ListBoundedAsync(client, path, MaxBypasses, token).ConfigureAwait(false);
        if (more) _boundReached.Add($"{path}: only the first {MaxBypasses} parameters were read, and more exist");
        return parameters;
    }

    private string CheckCommit(string commit, string doing)
    {
        var sha = commit.ToLowerInvariant();
        if (!ObjectIds.IsValid(sha))
            throw new EvidenceUnavailableException(new EvidenceFailure($"{doing} {commit}", "not a full commit id", "pass a commit (40 or 64 hex digits)"));
        return sha;
    }

    private async Task PutAsync(string name, string value, bool overwrite, CancellationToken cancellationToken)
    {
        // Named as IAM grants it (the path, not the one parameter), so the advice can be pasted into a policy.
        var operation = new AwsOperation("ssm:PutParameter", name[..(name.LastIndexOf('/') + 1)] + "*");
        await SsmCall.RunAsync(access, operation, cancellationToken, async (client, token) =>
        {
            // A long justification does not fit the standard tier's 4 KB; only then pay for the advanced tier.
            var request = SsmParameterTiers.Put(name, value, overwrite, "written by git-promote");
            await client.PutParameterAsync(request, token).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);
    }
}
