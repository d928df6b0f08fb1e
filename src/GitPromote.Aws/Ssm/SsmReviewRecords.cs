using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using GitPromote.Core.Evidence;
using GitPromote.Core.Push;

namespace GitPromote.Aws.Ssm;

/// <summary>
/// Reads parameters of one environment by name in GetParameters batches of 10 (a few at a time), and its approvals
/// (one GetParametersByPath per commit), so green and revoked names of a push share the same calls.
/// </summary>
internal static class SsmReviewRecords
{
    /// <summary>GetParameters takes at most 10 names.</summary>
    public const int BatchSize = 10;
    private const int ConcurrentCalls = 4;
    /// <summary>Approvals read per commit at most: far above any policy's `required` (at most 10).</summary>
    private const int MaxApprovalsPerCommit = 100;

    public static async Task<IReadOnlyList<Parameter>> GetByNamesAsync(IAmazonSimpleSystemsManagement client, IReadOnlyList<string> names,
        CancellationToken token)
    {
        if (names.Count == 0) return [];
        using var gate = new SemaphoreSlim(ConcurrentCalls);
        var batches = names.Distinct(StringComparer.Ordinal).Chunk(BatchSize).Select(async batch =>
        {
            await gate.WaitAsync(token).ConfigureAwait(false);
            try
            {
                var response = await client.GetParametersAsync(new GetParametersRequest { Names = batch.ToList(), WithDecryption = false },
                    token).ConfigureAwait(false);
                return response.Parameters ?? [];
            }
            finally
            {
                gate.Release();
            }
        });
        return (await Task.WhenAll(batches).ConfigureAwait(false)).SelectMany(p => p).ToList();
    }

    /// <summary>
    /// The approvals of <paramref name="commits"/>: one listing per commit, then one GetParameterHistory per approval found
    /// (a few: one per approver), all at once within the caller's deadline. An approval counts only when SSM's own record of
    /// its writer (the newest version's <c>LastModifiedUser</c>) is the approver its name says; any other is set aside
    /// (<see cref="ReviewRecords.IgnoredApprovals"/>), never counted.
    /// </summary>
    public static async Task<(IReadOnlyList<Approval> Counted, IReadOnlyList<IgnoredApproval> Ignored)> ApprovalsAsync(IAmazonSimpleSystemsManagement client,
        SsmLayout layout, IReadOnlyCollection<string> commits, CancellationToken token)
    {
        using var gate = new SemaphoreSlim(ConcurrentCalls);
        var perCommit = commits.Distinct(StringComparer.Ordinal).Select(async commit =>
        {
            await gate.WaitAsync(token).ConfigureAwait(false);
            try
            {
                var parameters = await SsmPaths.ListAsync(client, layout.ApprovalsOf(commit), MaxApprovalsPerCommit, token).ConfigureAwait(false);
                return parameters.Select(p => ToApproval(layout, commit, p)).OfType<Approval>()
                    .Select(a => (a, Name: layout.ApprovalName(commit, a.ApproverId)))
                    .ToList();
            }
            finally
            {
                gate.Release();
            }
        });
        var found = (await Task.WhenAll(perCommit).ConfigureAwait(false)).SelectMany(a => a).ToList();
        if (found.Count == 0) return ([], []);
        var histories = await SsmParameterHistory.ReadManyAsync(client, found.Select(f => f.Name).ToList(), HistoryCalls, token).ConfigureAwait(false);
        var counted = new List<Approval>();
        var ignored = new List<IgnoredApproval>();
        foreach (var (approval, name) in found)
        {
            var newest = histories.GetValueOrDefault(name) is { Count: > 0 } versions ? versions[^1] : null;
            if (newest is null) continue; // deleted since it was listed
            if (IgnoredApproval.WrittenByTheApprover(approval.ApproverId, newest.Writer))
                counted.Add(approval with { By = new Identity(newest.Writer!, "") });
            else
                ignored.Add(new IgnoredApproval(approval.Environment, approval.Commit, approval.ApproverId, newest.Writer is "N/A" ? null : newest.Writer));
        }
        return (counted, ignored);
    }

    /// <summary>GetParameterHistory calls in flight at once: one per approval of the commits judged, so a handful.</summary>
    private const int HistoryCalls = 8;

    public static ReviewRecords FromParameters(string label, SsmLayout layout, IEnumerable<Parameter> parameters, IReadOnlyList<Approval>? approvals,
        IReadOnlyList<IgnoredApproval>? ignored = null) =>
        ReviewRecords.Found(label, parameters.Select(p => ToRevocation(layout, p)).OfType<Revocation>(), approvals) with { IgnoredApprovals = ignored ?? [] };

    public static Revocation? ToRevocation(SsmLayout layout, Parameter parameter)
    {
        if (layout.RevokedCommitOf(parameter.Name) is not { } commit) return null;
        var read = RecordJson.ReadRevocation(parameter.Value);
        // Any value marks the commit revoked (a pipeline may write it with plain put-parameter); details when it is ours.
        return (read ?? new Revocation(layout.Environment, commit, parameter.Value is { Length: > 0 and <= 200 } v && v[0] != '{' ? v : null,
                null, Modified(parameter)))
            with
        { Environment = layout.Environment, Commit = commit };
    }

    private static Approval? ToApproval(SsmLayout layout, string commit, Parameter parameter)
    {
        if (layout.ApproverOf(commit, parameter.Name) is not { } id) return null;
        var read = RecordJson.ReadApproval(parameter.Value);
        return (read ?? new Approval(layout.Environment, commit, id, null, Modified(parameter)))
            with
        { Environment = layout.Environment, Commit = commit, ApproverId = id };
    }

    public static DateTimeOffset? Modified(Parameter parameter) => parameter.LastModifiedDate is { } modified
        ? new DateTimeOffset(DateTime.SpecifyKind(modified, modified.Kind == DateTimeKind.Unspecified ? DateTimeKind.Utc : modified.Kind)).ToUniversalTime()
        : null;

    public static IReadOnlyList<string> Valid(IEnumerable<string> commits) =>
        commits.Select(c => c.ToLowerInvariant()).Where(ObjectIds.IsValid).Distinct(StringComparer.Ordinal).ToList();
}
