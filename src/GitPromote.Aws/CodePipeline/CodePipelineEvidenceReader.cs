using Amazon.Runtime;
using GitPromote.Aws.Access;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Core.Push;

namespace GitPromote.Aws.CodePipeline;

/// <summary>
/// Green commits as CodePipeline executions: an execution whose <c>sourceRevisions[].revisionId</c> is the commit and
/// that Succeeded, or, with a stage, that succeeded in that stage. The stage case uses the
/// <c>succeededInStage</c> filter, which returns only executions that completed that stage successfully in the
/// pipeline's current version, whatever their overall status (a later stage may still run or have failed).
/// Pages are read newest first, once for all commits of a push, until every commit matched or
/// <see cref="CodePipelineEvidence.MaxExecutions"/> executions were seen.
/// </summary>
public sealed class CodePipelineEvidenceReader(
    AwsEnvironmentAccess access,
    CodePipelineEvidence source,
    Func<AWSCredentials, ICodePipelineClient>? clientFactory = null) : IEvidenceReader
{
    /// <summary>ListPipelineExecutions returns at most 100 executions a page.</summary>
    public const int PageSize = 100;

    public string Label => source.Stage is null
        ? $"codepipeline {source.Pipeline}"
        : $"codepipeline {source.Pipeline} stage {source.Stage}";

    public async Task<IReadOnlyList<GreenFact>> FindGreenAsync(IReadOnlyCollection<string> commits, CancellationToken cancellationToken)
    {
        var wanted = commits.Select(c => c.ToLowerInvariant()).Where(ObjectIds.IsValid).ToHashSet(StringComparer.Ordinal);
        if (wanted.Count == 0) return [];
        var found = new Dictionary<string, GreenFact>(StringComparer.Ordinal);
        await ScanAsync(execution =>
        {
            foreach (var commit in RevisionsOf(execution))
                if (wanted.Contains(commit) && !found.ContainsKey(commit))
                    found[commit] = FactOf(commit, execution);
            return found.Count < wanted.Count;
        }, cancellationToken).ConfigureAwait(false);
        return found.Values.ToList();
    }

    public async Task<IReadOnlyList<GreenFact>> ListGreenAsync(int max, CancellationToken cancellationToken)
    {
        if (max <= 0) return [];
        var found = new Dictionary<string, GreenFact>(StringComparer.Ordinal);
        await ScanAsync(execution =>
        {
            foreach (var commit in RevisionsOf(execution))
                found.TryAdd(commit, FactOf(commit, execution));
            return found.Count < max;
        }, cancellationToken).ConfigureAwait(false);
        return found.Values.Take(max).ToList();
    }

    /// <summary>The newest execution (in the stage, when one is set), from one call of one result: proves the pipeline exists and may be listed.</summary>
    public async Task<PipelineExecutionSummary?> NewestAsync(CancellationToken cancellationToken)
    {
        PipelineExecutionSummary? newest = null;
        await ScanAsync(execution =>
        {
            newest = execution;
            return false;
        }, cancellationToken, bound: 1, anyStatus: true).ConfigureAwait(false);
        return newest;
    }

    /// <summary>Feeds qualifying executions, newest first, to <paramref name="keepGoing"/> until it says stop or the bound is hit.</summary>
    private async Task ScanAsync(Func<PipelineExecutionSummary, bool> keepGoing, CancellationToken cancellationToken, int? bound = null, bool anyStatus = false)
    {
        var operation = new AwsOperation("codepipeline:ListPipelineExecutions", $"pipeline {source.Pipeline}");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(access.Deadline);
        try
        {
            var credentials = await access.GetCredentialsAsync(deadline.Token).ConfigureAwait(false);
            using var client = clientFactory?.Invoke(credentials) ?? CreateClient(credentials);
            var limit = Math.Max(1, bound ?? source.MaxExecutions);
            var seen = 0;
            string? next = null;
            do
            {
                var page = await client.ListPipelineExecutionsAsync(new ListPipelineExecutionsRequest
                {
                    PipelineName = source.Pipeline,
                    MaxResults = Math.Min(PageSize, limit - seen),
                    NextToken = next,
                    Filter = source.Stage is { } stage ? new PipelineExecutionFilter { SucceededInStage = new SucceededInStageFilter { StageName = stage } }
                        : null,
                }, deadline.Token).ConfigureAwait(false);
                foreach (var execution in page.PipelineExecutionSummaries ?? [])
                {
                    if (seen++ >= limit) return;
                    if ((anyStatus || Qualifies(execution)) && !keepGoing(execution)) return;
                }
                next = page.NextToken;
            } while (!string.IsNullOrEmpty(next) && seen < limit);
        }
        catch (Exception e)
        {
            throw AwsFailures.Unavailable(e, access, operation, access.Deadline);
        }
    }

    private ICodePipelineClient CreateClient(AWSCredentials credentials) =>
        new CodePipelineClient(credentials, access.Region,
            access.EndpointOverride(AwsEndpoints.CodePipeline) ?? AwsEndpoints.CodePipelineRegional(access.Region),
            access.PerAttemptTimeout);

    private bool Qualifies(PipelineExecutionSummary execution) =>
        source.Stage is not null || string.Equals(execution.Status, "Succeeded", StringComparison.Ordinal);

    private static IEnumerable<string> RevisionsOf(PipelineExecutionSummary execution) =>
        (execution.SourceRevisions ?? []).Select(r => r.RevisionId?.Trim().ToLowerInvariant()).OfType<string>().Where(ObjectIds.IsValid);

    private GreenFact FactOf(string commit, PipelineExecutionSummary execution) =>
        new(commit, Label,
            execution.LastUpdateTime is { } t ? DateTimeOffset.FromUnixTimeMilliseconds((long)(t * 1000)) : null,
            $"{source.Pipeline} execution {execution.PipelineExecutionId}");
}
