using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;

namespace GitPromote.Gate;

/// <summary>
/// Who is pushing, as the target environment's store names people: the AWS caller ARN for SSM stores, the git identity
/// (its email counts) for git stores. Asked only when the target requires approvals, since the pusher's own approval
/// must not count; null when it cannot be told (the approvals rule then refuses rather than guess).
/// </summary>
public static class PusherIdentity
{
    public static async Task<Identity?> InTargetStoreAsync(CompositeEvidenceProvider provider, EnvironmentPolicy target, Func<Identity> gitIdentity,
        CancellationToken cancellationToken)
    {
        if (target.RequiredApprovals == 0) return null;
        try
        {
            var who = await provider.RecorderAsync(target, gitIdentity(), cancellationToken);
            return who == Identity.Unknown ? null : who;
        }
        catch (Exception e) when (e is EvidenceUnavailableException || Deadline.Passed(e, cancellationToken))
        {
            return null;
        }
    }
}
