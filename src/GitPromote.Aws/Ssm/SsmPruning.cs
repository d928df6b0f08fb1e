using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using GitPromote.Aws.Access;
using GitPromote.Core.Evidence;
using GitPromote.Core.Push;

namespace GitPromote.Aws.Ssm;

/// <summary>
/// <c>git promote prune</c> on SSM: lists every parameter under <c>/promote/&lt;name&gt;/&lt;env&gt;/</c> (GetParametersByPath,
/// recursive, 10 a page) with its LastModifiedDate, which AWS sets and no writer chooses, and deletes with
/// DeleteParameters, 10 names a call. Before each delete it reads the batch again (GetParameters) and leaves out every
/// parameter whose version changed since the listing: a record written again meanwhile (a rollback re-recorded) is not
/// the one prune decided to delete. Each call has its own deadline; one client serves them all.
/// </summary>
public sealed class SsmPruning(AwsEnvironmentAccess access, SsmLayout layout) : IPrunableStore
{
    /// <summary>DeleteParameters takes at most 10 names.</summary>
    public const int DeleteBatch = 10;

    /// <summary>A bound on the listing: the account's standard tier holds 10,000 parameters, the advanced 100,000.</summary>
    public const int MaxListed = 100_000;

    public string Label => $"ssm {layout.Root}";

    /// <summary>Every parameter under the environment's path, at most <paramref name="max"/> (for doctor's count).</summary>
    public async Task<IReadOnlyList<StoredRecord>> ListRecordsAsync(int max, CancellationToken cancellationToken)
    {
        layout.Validate();
        var operation = new AwsOperation("ssm:GetParametersByPath", layout.Root + "/*");
        var client = await ClientAsync(operation, cancellationToken).ConfigureAwait(false);
        using (client)
        {
            var records = new List<StoredRecord>();
            string? next = null;
            do
            {
                var response = await CallAsync(operation, cancellationToken, token => client.GetParametersByPathAsync(new GetParametersByPathRequest
                {
                    Path = layout.Root + "/",
                    Recursive = true,
                    WithDecryption = false,
                    MaxResults = 10,
                    NextToken = next,
                }, token)).ConfigureAwait(false);
                records.AddRange((response.Parameters ?? []).Select(Classify));
                next = response.NextToken;
            } while (!string.IsNullOrEmpty(next) && records.Count < max);
            return records.Count > max ? records.GetRange(0, max) : records;
        }
    }

    public Task<IReadOnlyList<StoredRecord>> ListRecordsAsync(CancellationToken cancellationToken) => ListRecordsAsync(MaxListed, cancellationToken);

    /// <summary>How many parameters the environment's path holds, counting at most <paramref name="max"/> (DescribeParameters, 50 a page).</summary>
    public async Task<int> CountAsync(int max, CancellationToken cancellationToken)
    {
        layout.Validate();
        var operation = new AwsOperation("ssm:DescribeParameters", layout.Root + "/*");
        var client = await ClientAsync(operation, cancellationToken).ConfigureAwait(false);
        using (client)
        {
            var count = 0;
            string? next = null;
            do
            {
                var response = await CallAsync(operation, cancellationToken, token => client.DescribeParametersAsync(new DescribeParametersRequest
                {
                    ParameterFilters = [new ParameterStringFilter { Key = "Path", Option = "Recursive", Values = [layout.Root] }],
                    MaxResults = 50,
                    NextToken = next,
                }, token)).ConfigureAwait(false);
                count += response.Parameters?.Count ?? 0;
                next = response.NextToken;
            } while (!string.IsNullOrEmpty(next) && count < max);
            return Math.Min(count, max);
        }
    }

    public async Task DeleteAsync(IReadOnlyList<StoredRecord> records, Action<IReadOnlyList<StoredRecord>> deleted, CancellationToken cancellationToken)
    {
        if (records.Count == 0) return;
        layout.Validate();
        foreach (var r in records)
            if (!r.Name.StartsWith(layout.Root + "/", StringComparison.Ordinal))
                throw new ArgumentException($"{r.Name} is not under {layout.Root}", nameof(records));
        var operation = new AwsOperation("ssm:DeleteParameters", layout.Root + "/*");
        var client = await ClientAsync(operation, cancellationToken).ConfigureAwait(false);
        using (client)
        {
            var recheck = new AwsOperation("ssm:GetParameters", layout.Root + "/*");
            foreach (var batch in records.Chunk(DeleteBatch))
            {
                var current = await CallAsync(recheck, cancellationToken, token => client.GetParametersAsync(new GetParametersRequest
                {
                    Names = batch.Select(r => r.Name).ToList(),
                    WithDecryption = false,
                }, token)).ConfigureAwait(false);
                var versions = (current.Parameters ?? []).ToDictionary(p => p.Name, p => VersionOf(p), StringComparer.Ordinal);
                // Gone already (an earlier, interrupted prune) is the state asked for; a new version is a record written since.
                var unchanged = batch.Where(r => r.Version is null || !versions.TryGetValue(r.Name, out var now) || now == r.Version).ToList();
                var present = unchanged.Where(r => versions.ContainsKey(r.Name)).ToList();
                if (present.Count > 0)
                {
                    await CallAsync(operation, cancellationToken, token => client.DeleteParametersAsync(new DeleteParametersRequest
                    {
                        Names = present.Select(r => r.Name).ToList(),
                    }, token)).ConfigureAwait(false);
                }
                if (unchanged.Count > 0) deleted(unchanged);
            }
        }
    }

    private static string? VersionOf(Parameter p) => p.Version?.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private StoredRecord Classify(Parameter p) => ClassifyName(p) with { Version = VersionOf(p) };

    private StoredRecord ClassifyName(Parameter p)
    {
        var name = p.Name ?? "";
        var at = SsmReviewRecords.Modified(p);
        if (layout.CommitOf(name) is { } green) return new StoredRecord(name, StoredRecordKind.Green, green, at);
        if (name.StartsWith(layout.ApprovalPath + "/", StringComparison.Ordinal))
        {
            var rest = name[(layout.ApprovalPath.Length + 1)..];
            var slash = rest.IndexOf('/');
            if (slash > 0 && ObjectIds.IsValid(rest[..slash]) && layout.ApproverOf(rest[..slash], name) is not null)
                return new StoredRecord(name, StoredRecordKind.Approval, rest[..slash], at);
        }
        if (layout.RevokedCommitOf(name) is { } revoked) return new StoredRecord(name, StoredRecordKind.Revocation, revoked, at);
        if (name.StartsWith(layout.BypassPath + "/", StringComparison.Ordinal)) return new StoredRecord(name, StoredRecordKind.Bypass, null, at);
        if (name.StartsWith(layout.LiftedPath + "/", StringComparison.Ordinal)) return new StoredRecord(name, StoredRecordKind.LiftedRevocation, null, at);
        if (layout.DeployTail(name) is { } tail && DeploymentNames.Parse(tail) is { } deployed) return new StoredRecord(name, StoredRecordKind.Deployment,
            deployed.Commit, at);
        return new StoredRecord(name, StoredRecordKind.Unknown, null, at);
    }

    private async Task<IAmazonSimpleSystemsManagement> ClientAsync(AwsOperation operation, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(access.Deadline);
        try
        {
            return await access.CreateSsmClientAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw AwsFailures.Unavailable(e, access, operation, access.Deadline);
        }
    }

    private async Task<T> CallAsync<T>(AwsOperation operation, CancellationToken cancellationToken, Func<CancellationToken, Task<T>> call)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(access.Deadline);
        try
        {
            return await call(deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw AwsFailures.Unavailable(e, access, operation, access.Deadline);
        }
    }
}
