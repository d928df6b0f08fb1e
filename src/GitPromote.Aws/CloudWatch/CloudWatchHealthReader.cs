using Amazon.Runtime;
using GitPromote.Aws.Access;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;

namespace GitPromote.Aws.CloudWatch;

/// <summary>
/// An environment's alarms from CloudWatch DescribeAlarms, metric and composite: one call per batch of at most 100 names,
/// then one call per prefix pattern, all at once, each following NextToken pages up to <see cref="MaxAlarms"/> alarms in
/// all. No DescribeAlarmHistory: <c>StateUpdatedTimestamp</c> says since when each alarm has been in its state.
/// </summary>
public sealed class CloudWatchHealthReader(AwsEnvironmentAccess access, Func<AWSCredentials, ICloudWatchClient>? clientFactory = null) : IHealthReader
{
    /// <summary>More alarms than this under the patterns is a policy that names too much, not an answer to read.</summary>
    public const int MaxAlarms = 1000;

    public string Label => $"cloudwatch alarms of {access.EnvironmentName}";

    public async Task<IReadOnlyList<AlarmReading>> ReadAsync(IReadOnlyList<AlarmPattern> patterns, CancellationToken cancellationToken)
    {
        var operation = new AwsOperation("cloudwatch:DescribeAlarms", $"alarms {Quoting.Show(string.Join(", ", patterns.Select(p => p.Text)), 200)}");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(access.Deadline);
        try
        {
            var credentials = await access.GetCredentialsAsync(deadline.Token).ConfigureAwait(false);
            using var client = clientFactory?.Invoke(credentials) ?? CreateClient(credentials);
            var names = patterns.Where(p => !p.IsPrefix).Select(p => p.Value).Distinct(StringComparer.Ordinal).Chunk(CloudWatchClient.MaxPerCall)
                .Select(batch => new DescribeAlarmsRequest(batch, null, CloudWatchClient.MaxPerCall, null));
            var prefixes = patterns.Where(p => p.IsPrefix).Select(p => new DescribeAlarmsRequest([], p.Value, CloudWatchClient.MaxPerCall, null));
            var counted = 0;
            var answers = await Task.WhenAll(names.Concat(prefixes).Select(r =>
                AllPagesAsync(client, r, () => Interlocked.Increment(ref counted), deadline.Token)))
                .ConfigureAwait(false);
            // An alarm a name and a prefix both match comes twice; one that an answer lists twice in two states is judged on the worst.
            return AlarmReading.WorstByName(answers.SelectMany(a => a));
        }
        catch (Exception e)
        {
            throw AwsFailures.Unavailable(e, access, operation, access.Deadline);
        }
    }

    private static async Task<IReadOnlyList<AlarmReading>> AllPagesAsync(ICloudWatchClient client, DescribeAlarmsRequest first, Func<int> count,
        CancellationToken cancellationToken)
    {
        var alarms = new List<AlarmReading>();
        var request = first;
        while (true)
        {
            var page = await client.DescribeAlarmsAsync(request, cancellationToken).ConfigureAwait(false);
            foreach (var alarm in page.Alarms)
            {
                if (count() > MaxAlarms)
                    throw new EvidenceUnavailableException(new EvidenceFailure(
                        $"cloudwatch:DescribeAlarms {(first.AlarmNamePrefix is { } p ? $"for prefix '{Quoting.Show(p, 100)}*'" : "for the alarm names")}",
                        $"the health patterns match more than {MaxAlarms} alarms, which is more than git-promote reads",
                        "name fewer alarms, or narrower prefixes, in 'health: alarms' of .promote.yml"));
                alarms.Add(alarm);
            }
            if (page.NextToken is not { } next) return alarms;
            if (next == request.NextToken)
                throw new AwsCallException("InvalidResponse", "DescribeAlarms answered the same NextToken it was given", null);
            request = request with { NextToken = next };
        }
    }

    private ICloudWatchClient CreateClient(AWSCredentials credentials) =>
        new CloudWatchClient(credentials, access.Region,
            access.EndpointOverride(AwsEndpoints.CloudWatch) ?? AwsEndpoints.CloudWatchRegional(access.Region),
            access.PerAttemptTimeout);
}
