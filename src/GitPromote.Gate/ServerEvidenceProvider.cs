using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;

namespace GitPromote.Gate;

/// <summary>
/// The client's providers, except for the environment this repository is: its git evidence and its bypass records
/// are here, in this repository, not behind a remote. Other environments (the previous one) are read as on a client,
/// their git remote named by <c>git config promote.remote.&lt;env&gt;</c>.
/// </summary>
public sealed class ServerEvidenceProvider(IEvidenceProvider inner, EnvironmentPolicy target, IEvidenceReader targetGit, IRecordStore targetStore,
    IReviewStore? targetReviews = null)
    : IEvidenceProvider
{
    /// <summary>This repository's own revocations and approvals for the target; other environments' from their stores.</summary>
    public IReviewStore OpenReviewStore(EnvironmentPolicy environment) =>
        IsTarget(environment) && !environment.StoresInSsm && targetReviews is not null ? targetReviews : inner.OpenReviewStore(environment);

    public IEvidenceReader OpenReader(EnvironmentPolicy environment, EvidenceSource source) =>
        IsTarget(environment) && source is GitEvidence ? targetGit : inner.OpenReader(environment, source);

    public IHealthReader OpenHealthReader(EnvironmentPolicy environment) => inner.OpenHealthReader(environment);

    public IRecordStore OpenStore(EnvironmentPolicy environment) =>
        IsTarget(environment) && !environment.StoresInSsm ? targetStore : inner.OpenStore(environment);

    private bool IsTarget(EnvironmentPolicy environment) => string.Equals(environment.Name, target.Name, StringComparison.Ordinal);
}
