using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using GitPromote.Aws.Access;
using GitPromote.Core.Evidence;
using GitPromote.Core.Push;

namespace GitPromote.Aws.Ssm;

/// <summary>
/// Green commits as SSM parameters. A lookup is one GetParameters call per 10 commits of the push (run a few at a
/// time), whatever the history holds. Any value counts as green: a pipeline may write it with plain
/// <c>aws ssm put-parameter</c>; JSON <c>recordedAt</c>/<c>recordedBy</c> are read when present.
/// </summary>
public sealed class SsmEvidenceReader(AwsEnvironmentAccess access, SsmLayout layout) : IEvidenceReader
{
    /// <summary>GetParameters takes at most 10 names.</summary>
    public const int BatchSize = 10;
    private const int ConcurrentBatches = 4;

    public string Label => $"ssm {layout.GreenPath}";

    public async Task<IReadOnlyList<GreenFact>> FindGreenAsync(IReadOnlyCollection<string> commits, CancellationToken cancellationToken)
    {
        var wanted = commits.Select(c => c.ToLowerInvariant()).Where(ObjectIds.IsValid).Distinct(StringComparer.Ordinal).ToList();
        if (wanted.Count == 0) return [];
        layout.Validate();
        var operation = new AwsOperation("ssm:GetParameters", layout.GreenPath + "/*");
        return await SsmCall.RunAsync(access, operation, cancellationToken, async (client, token) =>
        {
            using var gate = new SemaphoreSlim(ConcurrentBatches);
            var batches = wanted.Chunk(BatchSize).Select(async batch =>
            {
                await gate.WaitAsync(token).ConfigureAwait(false);
                try
                {
                    var response = await client.GetParametersAsync(new GetParametersRequest
                    {
                        Names = batch.Select(layout.GreenName).ToList(),
                        WithDecryption = false,
                    }, token).ConfigureAwait(false);
                    return response.Parameters ?? [];
                }
                finally
                {
                    gate.Release();
                }
            });
            var found = await Task.WhenAll(batches).ConfigureAwait(false);
            return (IReadOnlyList<GreenFact>)found.SelectMany(p => p).Select(ToFact).OfType<GreenFact>().ToList();
        }).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<GreenFact>> ListGreenAsync(int max, CancellationToken cancellationToken)
    {
        if (max <= 0) return [];
        layout.Validate();
        var operation = new AwsOperation("ssm:GetParametersByPath", layout.GreenPath);
        return await SsmCall.RunAsync(access, operation, cancellationToken, async (client, token) =>
        {
            var parameters = await SsmPaths.ListAsync(client, layout.GreenPath, max, token).ConfigureAwait(false);
            return (IReadOnlyList<GreenFact>)parameters.Select(ToFact).OfType<GreenFact>()
                .OrderByDescending(f => f.RecordedAt).Take(max).ToList();
        }).ConfigureAwait(false);
    }

    private GreenFact? ToFact(Parameter parameter)
    {
        if (layout.CommitOf(parameter.Name) is not { } commit) return null;
        var (at, by) = RecordJson.ReadGreen(parameter.Value);
        at ??= parameter.LastModifiedDate is { } modified
            ? new DateTimeOffset(DateTime.SpecifyKind(modified, modified.Kind == DateTimeKind.Unspecified ? DateTimeKind.Utc : modified.Kind))
            : null;
        return new GreenFact(commit, Label, at?.ToUniversalTime(), by);
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
    public static async Task<List<Parameter>> ListAsync(IAmazonSimpleSystemsManagement client, string path, int max, CancellationToken token)
    {
        var result = new List<Parameter>();
        var maxPages = (max + 9) / 10 + 10;
        string? next = null;
        for (var page = 0; page < maxPages && result.Count < max; page++)
        {
            var response = await client.GetParametersByPathAsync(new GetParametersByPathRequest
            {
                Path = path,
                Recursive = false,
                WithDecryption = false,
                MaxResults = 10,
                NextToken = next,
            }, token).ConfigureAwait(false);
            result.AddRange(response.Parameters ?? []);
            next = response.NextToken;
            if (string.IsNullOrEmpty(next)) break;
        }
        return result.Count > max ? result.GetRange(0, max) : result;
    }
}
