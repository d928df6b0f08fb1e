using GitPromote.Aws.Access;
using GitPromote.Aws.CodePipeline;
using GitPromote.Aws.Ssm;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;

namespace GitPromote.Aws.Doctor;

/// <summary>One line of <c>git promote doctor</c> for AWS: what was checked, whether it passed, and what to do if not.</summary>
public sealed record AwsCheck(string Environment, string Name, bool Ok, string Detail, string? Todo = null)
{
    /// <summary>Passed, but something needs attention soon (a store near its limit).</summary>
    public bool Warning { get; init; }
}

/// <summary>
/// Checks, per environment that uses AWS: the region, that credentials resolve (STS GetCallerIdentity: account and
/// ARN), that SSM parameters can be read under the environment's path, that each pipeline exists and its
/// executions can be listed, and that the <c>health:</c> alarms can be read and each pattern matches one. Read-only.
/// </summary>
public sealed class AwsDoctor(PromotionPolicy policy, AwsEvidenceProvider provider)
{
    /// <summary>All AWS environments, checked concurrently; results in policy order.</summary>
    public async Task<IReadOnlyList<AwsCheck>> CheckAllAsync(CancellationToken cancellationToken)
    {
        var environments = policy.Environments.Where(AwsEvidenceProvider.UsesAws).ToList();
        var checks = (await Task.WhenAll(environments.Select(e => CheckAsync(e, cancellationToken))).ConfigureAwait(false)).SelectMany(c => c).ToList();
        // Two environments read in one account and region: a missing profile or role sends one of them to the other's records.
        var places = await Task.WhenAll(environments.Select(e => provider.DescribeWhereAsync(e, cancellationToken))).ConfigureAwait(false);
        foreach (var (first, second) in EvidenceWhere.SameAccount(places.OfType<EvidenceWhere>().ToList()))
        {
            var todo = $"give {second.Environment} its own account's profile (or role) in .promote.yml";
            checks.Add(new AwsCheck(second.Environment, "account", true, EvidenceWhere.SameAccountWarning(first, second), todo) { Warning = true });
        }
        return checks;
    }

    public async Task<IReadOnlyList<AwsCheck>> CheckAsync(EnvironmentPolicy environment, CancellationToken cancellationToken)
    {
        var access = provider.AccessFor(environment);
        var results = new List<AwsCheck>();
        string region;
        try
        {
            region = access.Region;
            results.Add(new AwsCheck(environment.Name, "region", true, region));
        }
        catch (EvidenceUnavailableException e)
        {
            results.Add(Failed(environment, "region", e.Failure));
            return results;
        }

        try
        {
            var me = await provider.GetCallerIdentityAsync(environment, cancellationToken).ConfigureAwait(false);
            results.Add(new AwsCheck(environment.Name, "credentials", true, $"account {me.Account} as {me.Arn} ({access.AccessDescription})"));
        }
        catch (EvidenceUnavailableException e)
        {
            results.Add(Failed(environment, "credentials", e.Failure));
            return results;
        }

        var probes = environment.Evidence.Where(AwsEvidenceProvider.Reads).Select(source => ProbeAsync(environment, source, cancellationToken)).ToList();
        if (environment.StoresInSsm)
        {
            probes.Add(CountAsync(environment, cancellationToken));
            probes.Add(JunkAsync(environment, cancellationToken));
        }
        if (environment.Health is { } health) probes.Add(HealthAsync(environment, health, cancellationToken));
        results.AddRange(await Task.WhenAll(probes).ConfigureAwait(false));
        return results;
    }

    /// <summary>Standard-tier parameters an account may hold per region (the advanced tier holds 100,000, at a monthly cost each).</summary>
    public const int StandardParameterLimit = 10_000;

    /// <summary>Doctor warns from this share of <see cref="StandardParameterLimit"/>.</summary>
    public const int WarnAt = StandardParameterLimit * 8 / 10;

    /// <summary>
    /// How full the store is: the parameters under the environment's path (DescribeParameters, 50 a page, counting stops
    /// past <see cref="WarnAt"/>). The limit is the account's, shared with everything else it keeps, so this is a floor.
    /// </summary>
    private async Task<AwsCheck> CountAsync(EnvironmentPolicy environment, CancellationToken cancellationToken)
    {
        const string name = "ssm records";
        var root = provider.Layout(environment).Root;
        try
        {
            var count = await provider.OpenPruning(environment).CountAsync(WarnAt + 1, cancellationToken).ConfigureAwait(false);
            if (count > WarnAt)
                return new AwsCheck(environment.Name, name, true,
                    $"more than {WarnAt} parameters under {root}/: over 80% of the {StandardParameterLimit} standard parameters an account holds per region",
                    $"delete old records: git promote prune {environment.Name} --dry-run, then without --dry-run (see docs/aws.md, limits)")
                { Warning = true };
            return new AwsCheck(environment.Name, name, true, $"{count} parameters under {root}/ (the account's standard tier holds {StandardParameterLimit})");
        }
        catch (EvidenceUnavailableException e)
        {
            return new AwsCheck(environment.Name, name, true, $"cannot count the parameters under {root}/: {e.Failure.Why}",
                "grant ssm:DescribeParameters to see how full the store is")
            { Warning = true };
        }
    }

    /// <summary>
    /// Parameters under the audit's record paths that are not records: anyone who may write a bypass may write junk there,
    /// which the audit names one by one, and enough of it would push real records past the listing's bound.
    /// </summary>
    private async Task<AwsCheck> JunkAsync(EnvironmentPolicy environment, CancellationToken cancellationToken)
    {
        const string name = "ssm audit records";
        var layout = provider.Layout(environment);
        var store = new SsmRecordStore(provider.AccessFor(environment), layout);
        try
        {
            await store.ListBypassesAsync(cancellationToken).ConfigureAwait(false);
            await store.ListRevocationsAsync(cancellationToken).ConfigureAwait(false);
            await store.ListLiftedRevocationsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (EvidenceUnavailableException e)
        {
            return new AwsCheck(environment.Name, name, true, $"cannot list the bypass and revocation records under {layout.Root}/: {e.Failure.Why}",
                e.Failure.Todo)
            { Warning = true };
        }
        if (store.Unreadable.Count == 0 && store.BoundReached.Count == 0)
            return new AwsCheck(environment.Name, name, true,
                $"every parameter under {layout.BypassPath}/, {layout.RevokedPath}/ and {layout.LiftedPath}/ is a record");
        var detail = store.Unreadable.Count > 0
            ? $"{store.Unreadable.Count} parameter{(store.Unreadable.Count == 1 ? " is" : "s are")} not a record there (first: {store.Unreadable[0]})"
            : "";
        if (store.BoundReached.Count > 0) detail += (detail.Length > 0 ? "; " : "") + string.Join("; ", store.BoundReached);
        return new AwsCheck(environment.Name, name, true, detail,
            $"find out who wrote them (CloudTrail PutParameter), then delete them with aws ssm delete-parameters; git promote audit {environment.Name} names " +
                "each")
        { Warning = true };
    }

    private async Task<AwsCheck> ProbeAsync(EnvironmentPolicy environment, EvidenceSource source, CancellationToken cancellationToken)
    {
        var name = source is CodePipelineEvidence p ? $"codepipeline {p.Pipeline}" : "ssm read";
        try
        {
            switch (source)
            {
                case CodePipelineEvidence pipeline:
                    var reader = (CodePipelineEvidenceReader)provider.OpenReader(environment, pipeline);
                    var newest = await reader.NewestAsync(cancellationToken).ConfigureAwait(false);
                    return new AwsCheck(environment.Name, name, true, newest is null
                        ? $"exists, no executions{(pipeline.Stage is null ? "" : $" that passed stage {pipeline.Stage}")} yet"
                        : $"exists; newest{(pipeline.Stage is null ? "" : $" to pass stage {pipeline.Stage}")}: {newest.PipelineExecutionId} " +
                            $"({newest.Status})");
                default:
                    var green = await provider.OpenReader(environment, source).ListGreenAsync(1, cancellationToken).ConfigureAwait(false);
                    return new AwsCheck(environment.Name, name, true,
                        $"can read {provider.Layout(environment).GreenPath} ({(green.Count == 0 ? "no green commits yet" : "green commits present")}); " +
                            "writes need ssm:PutParameter");
            }
        }
        catch (EvidenceUnavailableException e)
        {
            return Failed(environment, name, e.Failure);
        }
    }

    /// <summary>The alarms of <c>health:</c> (one DescribeAlarms per batch, as a push reads them): readable, and every pattern matches one.</summary>
    private async Task<AwsCheck> HealthAsync(EnvironmentPolicy environment, HealthPolicy health, CancellationToken cancellationToken)
    {
        const string name = "health alarms";
        try
        {
            var alarms = await provider.OpenHealthReader(environment).ReadAsync(health.Alarms, cancellationToken).ConfigureAwait(false);
            var unmatched = health.Alarms.Where(p => !alarms.Any(a => p.Matches(a.Name))).Select(p => $"'{Quoting.Show(p.Text, 100)}'").ToList();
            if (unmatched.Count > 0)
                return new AwsCheck(environment.Name, name, false, $"no alarm in this account and region matches {string.Join(", ", unmatched)}",
                    $"fix the names in 'health: alarms' of {environment.Name} in .promote.yml (a prefix ends in *), or create the alarms");
            var states = alarms.GroupBy(a => a.State).OrderBy(g => g.Key).Select(g => $"{g.Count()} {StateName(g.Key)}");
            return new AwsCheck(environment.Name, name, true, $"{alarms.Count} alarm{(alarms.Count == 1 ? "" : "s")} match: {string.Join(", ", states)}");
        }
        catch (EvidenceUnavailableException e)
        {
            return Failed(environment, name, e.Failure);
        }
    }

    private static string StateName(AlarmState state) => state switch
    {
        AlarmState.Ok => "OK",
        AlarmState.Alarm => "ALARM",
        _ => "INSUFFICIENT_DATA",
    };

    private static AwsCheck Failed(EnvironmentPolicy environment, string name, EvidenceFailure failure) =>
        new(environment.Name, name, false, $"{failure.What}: {failure.Why}", failure.Todo);
}
