using System.Collections.Concurrent;
using GitPromote.Aws.Access;
using GitPromote.Aws.CloudWatch;
using GitPromote.Aws.CodePipeline;
using GitPromote.Aws.Ssm;
using GitPromote.Core;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;

namespace GitPromote.Aws;

/// <summary>
/// Opens SSM and CodePipeline readers, and SSM record stores, for the environments of a policy. Each environment
/// gets one <see cref="AwsEnvironmentAccess"/> (its region, credentials, caller identity), shared by its sources, so
/// credentials are resolved once per environment however many sources ask. Every call honours the policy's timeout.
/// </summary>
public sealed class AwsEvidenceProvider : IEvidenceProvider
{
    private readonly PromotionPolicy _policy;
    private readonly IProcessEnvironment _variables;
    private readonly ConcurrentDictionary<string, AwsEnvironmentAccess> _access = new(StringComparer.Ordinal);

    /// <param name="variables">Where AWS_* variables are read (empty ones count as unset).</param>
    public AwsEvidenceProvider(PromotionPolicy policy, IProcessEnvironment variables)
    {
        _policy = policy;
        _variables = variables;
    }

    /// <summary>True for the sources this provider reads: <see cref="SsmEvidence"/> and <see cref="CodePipelineEvidence"/>.</summary>
    public static bool Reads(EvidenceSource source) => source is SsmEvidence or CodePipelineEvidence;

    public AwsEnvironmentAccess AccessFor(EnvironmentPolicy environment) =>
        _access.GetOrAdd(environment.Name, _ => new AwsEnvironmentAccess(environment.Name, environment.Aws, _variables, _policy.Timeout));

    public IEvidenceReader OpenReader(EnvironmentPolicy environment, EvidenceSource source) => source switch
    {
        SsmEvidence => new SsmEvidenceReader(AccessFor(environment), Layout(environment)),
        CodePipelineEvidence pipeline => new CodePipelineEvidenceReader(AccessFor(environment), pipeline),
        _ => throw new ArgumentException($"{source.Kind} evidence is not read from AWS", nameof(source)),
    };

    /// <summary>The environment's CloudWatch alarms, read with its own access (on the gate: the reader role given for it).</summary>
    public IHealthReader OpenHealthReader(EnvironmentPolicy environment) => new CloudWatchHealthReader(AccessFor(environment));

    /// <summary>The SSM store of an environment that declares <c>ssm</c> evidence; for others, a store that refuses with the reason.</summary>
    public IRecordStore OpenStore(EnvironmentPolicy environment) =>
        environment.StoresInSsm
            ? new SsmRecordStore(AccessFor(environment), Layout(environment))
            : new UnrecordableStore(environment);

    /// <summary>Lists and deletes the environment's SSM records, for <c>git promote prune</c> and doctor's count.</summary>
    public SsmPruning OpenPruning(EnvironmentPolicy environment) => new(AccessFor(environment), Layout(environment));

    /// <summary>
    /// Who this environment's credentials act as (STS GetCallerIdentity): the account, and the ARN that is the natural
    /// <c>recordedBy</c> of records written to AWS. Throws <see cref="EvidenceUnavailableException"/> when it cannot tell.
    /// </summary>
    public async Task<AwsCallerIdentity> GetCallerIdentityAsync(EnvironmentPolicy environment, CancellationToken cancellationToken)
    {
        var access = AccessFor(environment);
        try
        {
            return await access.GetCallerIdentityAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw AwsFailures.Unavailable(e, access, new AwsOperation("sts:GetCallerIdentity", "the caller"), access.Deadline);
        }
    }

    /// <summary>The account (from STS), region and credentials an AWS environment is read with; null for one that uses no AWS.</summary>
    public async Task<EvidenceWhere?> DescribeWhereAsync(EnvironmentPolicy environment, CancellationToken cancellationToken)
    {
        if (!UsesAws(environment)) return null;
        var access = AccessFor(environment);
        string region;
        try { region = access.Region; }
        catch (EvidenceUnavailableException e) { return new EvidenceWhere(environment.Name, null, null, $"no region ({e.Failure.Why})"); }
        try
        {
            var me = await GetCallerIdentityAsync(environment, cancellationToken).ConfigureAwait(false);
            return new EvidenceWhere(environment.Name, me.Account, region,
                $"account {me.Account} in {region} as {me.Arn} ({access.AccessDescription})");
        }
        catch (EvidenceUnavailableException e)
        {
            return new EvidenceWhere(environment.Name, null, region, $"region {region} ({access.AccessDescription}); account unknown: {e.Failure.Why}");
        }
    }

    /// <summary>True when the environment reads or writes anything in AWS.</summary>
    public static bool UsesAws(EnvironmentPolicy environment) =>
        environment.Aws is not null || environment.Evidence.Any(Reads) || environment.Health is not null;

    /// <summary>The caller identity as a record author: name = the ARN, no email.</summary>
    public async Task<Identity> GetRecorderAsync(EnvironmentPolicy environment, CancellationToken cancellationToken) =>
        new((await GetCallerIdentityAsync(environment, cancellationToken).ConfigureAwait(false)).Arn, "");

    public SsmLayout Layout(EnvironmentPolicy environment) => new(_policy.Name, environment.Name);

    /// <summary>An environment proven only by its pipeline runs: there is nowhere for us to write.</summary>
    private sealed class UnrecordableStore(EnvironmentPolicy environment) : GreenAndBypassOnlyStore(environment.Name)
    {
        public override string Label => $"{environment.Name} (codepipeline only)";

        public override Task RecordGreenAsync(string commit, Identity by, DateTimeOffset at, CancellationToken cancellationToken,
            string? forced = null) => throw Refusal("recording a commit green");

        public override Task RecordBypassAsync(BypassRecord record, CancellationToken cancellationToken) =>
            throw Refusal("recording a bypass");

        public override Task<IReadOnlyList<BypassRecord>> ListBypassesAsync(CancellationToken cancellationToken) =>
            throw Refusal("listing bypasses");

        private EvidenceUnavailableException Refusal(string what) => new(new EvidenceFailure(
            $"{what} in {environment.Name}",
            $"{environment.Name} is proven only by CodePipeline executions, which git-promote reads but cannot write",
            $"add `- ssm: {{}}` to the evidence of {environment.Name} in .promote.yml so records have a place in its account"));
    }
}
