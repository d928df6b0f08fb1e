using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using GitPromote.Aws.Access;
using GitPromote.Core.Evidence;

namespace GitPromote.Aws.Ssm;

/// <summary>
/// Green commits as SSM parameters. A lookup is one GetParameters call per 10 names (run a few at a time), whatever the
/// history holds; the revoked names of the same commits ride in the same batches while that costs no extra call, and
/// past that are listed with one GetParametersByPath: a push of N commits costs at most ceil(N/10) + 1 calls. Any value counts as green: a pipeline may write
/// it with plain
/// <c>aws ssm put-parameter</c>; JSON <c>recordedAt</c>/<c>recordedBy</c> are read when present (else LastModifiedDate).
/// </summary>
public sealed class SsmEvidenceReader(AwsEnvironmentAccess access, SsmLayout layout) : IEvidenceWithReviewsReader
{
    /// <summary>GetParameters takes at most 10 names.</summary>
    public const int BatchSize = SsmReviewRecords.BatchSize;

    public string Label => LabelOf(layout);

    private static string LabelOf(SsmLayout layout) => $"ssm {layout.GreenPath}";

    /// <summary>Bounds the listing of revocations when they are read by path (each page is one call of 10).</summary>
    private const int MaxRevocationsListed = 1000;

    private static int Calls(int names) => (names + BatchSize - 1) / BatchSize;

    public async Task<IReadOnlyList<GreenFact>> FindGreenAsync(IReadOnlyCollection<string> commits, CancellationToken cancellationToken) =>
        (await FindGreenAndReviewsAsync(commits, [], false, cancellationToken).ConfigureAwait(false)).Green;

    public async Task<(IReadOnlyList<GreenFact> Green, ReviewRecords Reviews)> FindGreenAndReviewsAsync(
        IReadOnlyCollection<string> green, IReadOnlyCollection<string> review, bool approvals, CancellationToken cancellationToken)
    {
        var greenCommits = SsmReviewRecords.Valid(green);
        var reviewCommits = SsmReviewRecords.Valid(review);
        var label = $"ssm {layout.Root}";
        if (greenCommits.Count == 0 && reviewCommits.Count == 0) return ([], ReviewRecords.Found(label, [], approvals ? [] : null));
        layout.Validate();
        // Named as IAM grants it: green only, or the environment's whole record path when revocations are read too.
        // Revoked names ride along in the green batches while that costs no extra call; past that, one listing of
        // the (rare) revocations is cheaper than one more call per 10 commits.
        var revokedByPath = reviewCommits.Count > 0 && Calls(greenCommits.Count + reviewCommits.Count) > Calls(greenCommits.Count) + 1;
        var operation = new AwsOperation(approvals ? "ssm:GetParameters, ssm:GetParametersByPath, ssm:GetParameterHistory"
            : revokedByPath ? "ssm:GetParameters, ssm:GetParametersByPath" : "ssm:GetParameters",
            reviewCommits.Count == 0 ? layout.GreenPath + "/*" : layout.Root + "/*");
        return await SsmCall.RunAsync(access, operation, cancellationToken, async (client, token) =>
        {
            var names = greenCommits.Select(layout.GreenName)
                .Concat(revokedByPath ? [] : reviewCommits.Select(layout.RevokedName)).ToList();
            var byName = SsmReviewRecords.GetByNamesAsync(client, names, token);
            var listed = revokedByPath ? SsmPaths.ListAsync(client, layout.RevokedPath, MaxRevocationsListed, token) : null;
            var approved = approvals && reviewCommits.Count > 0 ? SsmReviewRecords.ApprovalsAsync(client, layout, reviewCommits, token) : null;
            var parameters = await byName.ConfigureAwait(false);
            if (listed is not null)
            {
                var wanted = reviewCommits.ToHashSet(StringComparer.Ordinal);
                parameters = [.. parameters, .. (await listed.ConfigureAwait(false))
                    .Where(p => layout.RevokedCommitOf(p.Name) is { } c && wanted.Contains(c))];
            }
            var facts = (IReadOnlyList<GreenFact>)parameters.Select(p => ToFact(layout, p)).OfType<GreenFact>().ToList();
            IReadOnlyList<Approval>? approvalList = approvals ? [] : null;
            IReadOnlyList<IgnoredApproval> ignored = [];
            if (approved is not null) (approvalList, ignored) = await approved.ConfigureAwait(false);
            return (facts, SsmReviewRecords.FromParameters(label, layout, parameters, approvalList, ignored));
        }).ConfigureAwait(false);
    }

    public async Task<IReadOnlyCollection<string>> ListRevokedAsync(int max, CancellationToken cancellationToken)
    {
        if (max <= 0) return [];
        var parameters = await ListAsync(() => layout.RevokedPath, max, cancellationToken).ConfigureAwait(false);
        return parameters.Select(p => layout.RevokedCommitOf(p.Name)).OfType<string>().ToList();
    }

    public async Task<IReadOnlyList<GreenFact>> ListGreenAsync(int max, CancellationToken cancellationToken)
    {
        if (max <= 0) return [];
        var parameters = await ListAsync(() => layout.GreenPath, max, cancellationToken).ConfigureAwait(false);
        return NewestGreen(layout, parameters, max);
    }

    /// <summary>The green facts among <paramref name="parameters"/> (others are skipped), newest first, at most <paramref name="max"/>.</summary>
    internal static List<GreenFact> NewestGreen(SsmLayout layout, IEnumerable<Parameter> parameters, int max) =>
        parameters.Select(p => ToFact(layout, p)).OfType<GreenFact>().OrderByDescending(f => f.RecordedAt).Take(Math.Max(0, max)).ToList();

    /// <summary>Up to <paramref name="max"/> parameters under one path of the layout (validated first), in one bounded listing.</summary>
    private async Task<List<Parameter>> ListAsync(Func<string> path, int max, CancellationToken cancellationToken)
    {
        layout.Validate();
        var operation = new AwsOperation("ssm:GetParametersByPath", path());
        return await SsmCall.RunAsync(access, operation, cancellationToken,
            (client, token) => SsmPaths.ListAsync(client, operation.Resource, max, token)).ConfigureAwait(false);
    }

    private static GreenFact? ToFact(SsmLayout layout, Parameter parameter)
    {
        if (layout.CommitOf(parameter.Name) is not { } commit) return null;
        var (at, by) = RecordJson.ReadGreen(parameter.Value);
        return new GreenFact(commit, LabelOf(layout), (at ?? SsmReviewRecords.Modified(parameter))?.ToUniversalTime(), by)
        {
            Forced = RecordJson.ReadGreenForced(parameter.Value),
        };
    }
}

/// <summary>Runs SSM calls of one environment inside the deadline and turns every failure into an evidence failure.</summary>
internal static class SsmCall
{
    public static async Task<T> RunAsync<T>(AwsEnvironmentAccess access, AwsOperation operation, CancellationToken cancellationToken,
        Func<IAmazonSimpleSystemsManagement, CancellationToken, Task<T>> call)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(access.Deadline);
        try
        {
            using var client = await access.CreateSsmClientAsync(deadline.Token).ConfigureAwait(false);
            return await call(client, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw AwsFailures.Unavailable(e, access, operation, access.Deadline);
        }
    }
}

internal static class SsmPaths
{
    /// <summary>Parameters directly under <paramref name="path"/>, at most <paramref name="max"/>, over a bounded number of pages.</summary>
    public static async Task<List<Parameter>> ListAsync(IAmazonSimpleSystemsManagement client, string path, int max, CancellationToken token) =>
        (await ListBoundedAsync(client, path, max, token).ConfigureAwait(false)).Parameters;

    /// <summary>As <see cref="ListAsync"/>, and whether it stopped at the bound with more parameters left unread.</summary>
    public static async Task<(List<Parameter> Parameters, bool BoundReached)> ListBoundedAsync(IAmazonSimpleSystemsManagement client, string path, int max,
        CancellationToken token, bool recursive = false)
    {
        var result = new List<Parameter>();
        var maxPages = (max + 9) / 10 + 10;
        string? next = null;
        for (var page = 0; page < maxPages && result.Count < max; page++)
        {
            var response = await client.GetParametersByPathAsync(new GetParametersByPathRequest
            {
                Path = path,
                Recursive = recursive,
                WithDecryption = false,
                MaxResults = 10,
                NextToken = next,
            }, token).ConfigureAwait(false);
            result.AddRange(response.Parameters ?? []);
            next = response.NextToken;
            if (string.IsNullOrEmpty(next)) break;
        }
        var more = result.Count > max || !string.IsNullOrEmpty(next);
        return (result.Count > max ? result.GetRange(0, max) : result, more);
    }
}
