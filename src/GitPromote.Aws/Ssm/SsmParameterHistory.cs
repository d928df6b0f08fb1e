using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;

namespace GitPromote.Aws.Ssm;

/// <summary>One version of a parameter as SSM keeps it: its number, who SSM says wrote it (<c>LastModifiedUser</c>, an ARN), its text and time.</summary>
public sealed record ParameterVersion(long Version, string? Writer, string? Value, DateTimeOffset? At);

/// <summary>
/// GetParameterHistory: who wrote a parameter, as SSM itself recorded it, never as a name or a body claims. SSM keeps
/// the last 100 versions, 50 a page, so a history is at most <see cref="MaxPages"/> calls.
/// </summary>
internal static class SsmParameterHistory
{
    private const int MaxPages = 3;
    private const int PageSize = 50;

    /// <summary>Every version SSM keeps of <paramref name="name"/>, oldest first; empty when the parameter is gone.</summary>
    public static async Task<IReadOnlyList<ParameterVersion>> ReadAsync(IAmazonSimpleSystemsManagement client, string name, CancellationToken token)
    {
        var versions = new List<ParameterVersion>();
        string? next = null;
        try
        {
            for (var page = 0; page < MaxPages; page++)
            {
                var response = await client.GetParameterHistoryAsync(new GetParameterHistoryRequest
                {
                    Name = name,
                    WithDecryption = false,
                    MaxResults = PageSize,
                    NextToken = next,
                }, token).ConfigureAwait(false);
                versions.AddRange((response.Parameters ?? []).Select(p => new ParameterVersion(p.Version ?? 0,
                    p.LastModifiedUser is { Length: > 0 and <= 2048 } w ? w : null, p.Value, Modified(p.LastModifiedDate))));
                next = response.NextToken;
                if (string.IsNullOrEmpty(next)) break;
            }
        }
        catch (ParameterNotFoundException)
        {
            // Deleted between the listing and now (prune): nothing to attribute.
        }
        return versions.OrderBy(v => v.Version).ToList();
    }

    /// <summary>The histories of <paramref name="names"/>, <paramref name="concurrent"/> calls at a time.</summary>
    public static async Task<IReadOnlyDictionary<string, IReadOnlyList<ParameterVersion>>> ReadManyAsync(IAmazonSimpleSystemsManagement client,
        IReadOnlyCollection<string> names, int concurrent, CancellationToken token)
    {
        using var gate = new SemaphoreSlim(concurrent);
        var reads = names.Distinct(StringComparer.Ordinal).Select(async name =>
        {
            await gate.WaitAsync(token).ConfigureAwait(false);
            try
            {
                return (name, await ReadAsync(client, name, token).ConfigureAwait(false));
            }
            finally
            {
                gate.Release();
            }
        });
        return (await Task.WhenAll(reads).ConfigureAwait(false)).ToDictionary(r => r.name, r => r.Item2, StringComparer.Ordinal);
    }

    private static DateTimeOffset? Modified(DateTime? modified) => modified is { } m
        ? new DateTimeOffset(DateTime.SpecifyKind(m, m.Kind == DateTimeKind.Unspecified ? DateTimeKind.Utc : m.Kind)).ToUniversalTime()
        : null;
}
