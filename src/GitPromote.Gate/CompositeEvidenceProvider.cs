using GitPromote.Aws;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Git.Evidence;

namespace GitPromote.Gate;

/// <summary>
/// Routes each evidence source to the provider that understands it: git refs, or AWS (SSM, CodePipeline).
/// The AWS side is built only when a policy's source needs it, so git-only pushes never load the SDK.
/// </summary>
public sealed class CompositeEvidenceProvider(GitEvidenceProvider git, Lazy<AwsEvidenceProvider> aws) : IEvidenceStores
{
    public IEvidenceReader OpenReader(EnvironmentPolicy environment, EvidenceSource source) =>
        source is GitEvidence ? git.OpenReader(environment, source) : aws.Value.OpenReader(environment, source);

    /// <summary>Health is CloudWatch's, whatever the environment's evidence.</summary>
    public IHealthReader OpenHealthReader(EnvironmentPolicy environment) => aws.Value.OpenHealthReader(environment);

    public IRecordStore OpenStore(EnvironmentPolicy environment) =>
        environment.StoresInSsm ? aws.Value.OpenStore(environment) : git.OpenStore(environment);

    /// <summary>Revocations and approvals: in the environment's record store, when it keeps them.</summary>
    public IReviewStore OpenReviewStore(EnvironmentPolicy environment) => IEvidenceProvider.ReviewStoreIn(OpenStore(environment), environment);

    /// <summary>The environment's record store, for prune: SSM parameters or refs on its git remote.</summary>
    public IPrunableStore OpenPrunable(EnvironmentPolicy environment) =>
        environment.StoresInSsm ? aws.Value.OpenPruning(environment) : git.OpenGitStore(environment);

    public Task<EvidenceWhere?> DescribeWhereAsync(EnvironmentPolicy environment, CancellationToken cancellationToken) =>
        AwsEvidenceProvider.UsesAws(environment) ? aws.Value.DescribeWhereAsync(environment, cancellationToken) : Task.FromResult<EvidenceWhere?>(null);

    /// <summary>Who a record in this environment's store is written by: the AWS caller for SSM, else git's user.</summary>
    public async Task<Identity> RecorderAsync(EnvironmentPolicy environment, Identity gitUser, CancellationToken cancellationToken) =>
        environment.StoresInSsm ? await aws.Value.GetRecorderAsync(environment, cancellationToken) : gitUser;
}
