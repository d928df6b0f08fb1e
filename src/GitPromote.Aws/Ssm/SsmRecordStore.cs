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
public sealed class SsmRecordStore(AwsEnvironmentAccess access, SsmLayout layout) : IRecordStore
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

    public bool KeepsReviews => true;

    public bool KeepsDeployments => true;

    /// <summary>Null: a bypass names a git ref, and SSM does not see the branches.</summary>
    public Task<IReadOnlySet<BypassRecord>?> NotSeenLandedAsync(IReadOnlyList<BypassRecord> records, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlySet<BypassRecord>?>(null);

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

    /// <summary>
    /// Writes <c>.../approval/&lt;sha&gt;/&lt;approver id&gt;</c> once (Overwrite=false: the construct denies overwriting approvals, and an approval
    /// that could be rewritten could be rewritten by someone else). The name is the approver's own, so a second approval by the same
    /// person finds it there: the first one stands. One found written by someone else is said, since it does not count.
    /// </summary>
    public async Task RecordApprovalAsync(Approval approval, CancellationToken cancellationToken)
    {
        layout.Validate();
        var commit = CheckCommit(approval.Commit, "approving");
        if (!ApproverIds.IsValid(approval.ApproverId)) throw new ArgumentException($"not an approver id: '{approval.ApproverId}'", nameof(approval));
        var name = layout.ApprovalName(commit, approval.ApproverId);
        EvidenceUnavailableException refused;
        try
        {
            await PutAsync(name, RecordJson.ApprovalBody(approval with { Commit = commit }), overwrite: false, cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (EvidenceUnavailableException e)
        {
            refused = e;
        }
        if (await ExistingWriterAsync(name, cancellationToken).ConfigureAwait(false) is not { } existing) throw refused;
        if (IgnoredApproval.WrittenByTheApprover(approval.ApproverId, existing.Writer)) return;
        throw new EvidenceUnavailableException(new EvidenceFailure($"approving {ObjectIds.Short(commit)} for {layout.Environment}",
            $"{name} exists and SSM says {existing.Writer ?? "an unnamed writer"} wrote it, not you: it does not count, and approvals are never overwritten",
            "ask an administrator to delete that parameter (it is someone else's record in your name), then approve again"));
    }

    /// <summary>The newest version of <paramref name="name"/> when it exists (a failed write that found it there), else null.</summary>
    private async Task<ParameterVersion?> ExistingWriterAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return await SsmCall.RunAsync(access, new AwsOperation("ssm:GetParameterHistory", name), cancellationToken, async (client, token) =>
                (await SsmParameterHistory.ReadAsync(client, name, token).ConfigureAwait(false)) is { Count: > 0 } v ? v[^1] : null).ConfigureAwait(false);
        }
        catch (EvidenceUnavailableException)
        {
            return null;
        }
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

    /// <summary>Records whose history the audit reads at most (one GetParameterHistory each): bypasses, revocations and approvals first, then the
    /// newest deployment events.</summary>
    public const int MaxHistoriesChecked = 1000;

    /// <summary>Written-once kinds, in the order their histories are read.</summary>
    private static readonly string[] WrittenOnce = ["bypass", "revoked", "revoked-lifted", "approval", "deploy"];

    public async Task<(IReadOnlyList<RecordFinding> Findings, string? NotChecked)?> CheckRecordHistoriesAsync(CancellationToken cancellationToken)
    {
        layout.Validate();
        return await SsmCall.RunAsync(access, new AwsOperation("ssm:GetParametersByPath, ssm:GetParameterHistory", layout.Root + "/*"), cancellationToken,
            async (client, token) =>
        {
            var names = new List<string>();
            var notChecked = new List<string>();
            foreach (var kind in WrittenOnce)
            {
                var path = $"{layout.Root}/{kind}";
                var (parameters, more) = await SsmPaths.ListBoundedAsync(client, path, MaxBypasses, token, recursive: kind == "approval")
                    .ConfigureAwait(false);
                if (more) notChecked.Add($"{path}: more than {MaxBypasses} parameters");
                // Only names of records: junk under a folder is named by the listing that skips it, and must not use up the bound.
                var records = parameters.Select(p => p.Name).OfType<string>().Where(NamesACommit);
                // Events are named by time: the newest first, since the bound cuts the oldest.
                names.AddRange(kind == "deploy" ? records.OrderDescending(StringComparer.Ordinal) : records);
            }
            if (names.Count > MaxHistoriesChecked)
            {
                notChecked.Add($"the histories of {names.Count - MaxHistoriesChecked} older records (at most {MaxHistoriesChecked} are read)");
                names = names.GetRange(0, MaxHistoriesChecked);
            }
            var histories = await SsmParameterHistory.ReadManyAsync(client, names, 8, token).ConfigureAwait(false);
            var findings = new List<RecordFinding>();
            foreach (var name in names)
            {
                if (histories.GetValueOrDefault(name) is not { Count: > 0 } versions) continue;
                var shown = versions.Select(v => new RecordVersion(v.Version, v.Writer is "N/A" ? null : v.Writer, v.At, v.Value ?? "")).ToList();
                if (versions.Count > 1)
                    findings.Add(new RecordFinding(layout.Environment, name,
                        $"REWRITTEN: {versions.Count} versions (records are written once; the newest is what every reader sees)", shown));
                if (layout.KindOf(name) == "approval" && ApprovalIdOf(name) is { } id && !IgnoredApproval.WrittenByTheApprover(id, versions[^1].Writer))
                    findings.Add(new RecordFinding(layout.Environment, name,
                        $"NOT COUNTED: an approval in the name of {ApproverIds.Readable(id)} written by " +
                            $"{shown[^1].Writer ?? "a writer SSM does not name"}, not by the approver",
                        shown));
            }
            return ((IReadOnlyList<RecordFinding>)findings, notChecked.Count == 0 ? null : string.Join("; ", notChecked));
        }).ConfigureAwait(false);
    }

    /// <summary>True when a part of the name below the environment's root is a full commit id: every written-once record's name has one.</summary>
    private bool NamesACommit(string name) =>
        name.Length > layout.Root.Length && name[(layout.Root.Length + 1)..].Split('/', '-').Any(Core.Push.ObjectIds.IsValid);

    /// <summary>The approver id of an approval parameter's name (<c>.../approval/&lt;sha&gt;/&lt;id&gt;</c>), when it is one.</summary>
    private string? ApprovalIdOf(string name)
    {
        var tail = name[(layout.ApprovalPath.Length + 1)..].Split('/');
        return tail.Length == 2 && ObjectIds.IsValid(tail[0]) ? layout.ApproverOf(tail[0], name) : null;
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
