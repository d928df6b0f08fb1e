using GitPromote.Core.Engine;
using GitPromote.Core.Evidence;
using GitPromote.Core.PipelineGate;
using GitPromote.Core.Policy;
using GitPromote.Core.Push;

namespace GitPromote.Gate;

/// <summary>How the gate is asked: what it may write, and how it is pushed.</summary>
public enum GateMode
{
    /// <summary>A push git is about to make (pre-push, pre-receive): a bypass asked for is recorded before it is let through.</summary>
    Push,

    /// <summary>A push made with <c>--dry-run</c>: judged as any push, but no ref moves, so no bypass is recorded.</summary>
    DryRun,

    /// <summary>"Would it go now?" (<c>check</c>, <c>status</c>, <c>push</c> before it pushes): the caller's push, judged as the hook judges it.</summary>
    Check,

    /// <summary>An environment's own pipeline (<c>gate</c>): the commit it is about to deploy; who pushed it is not known.</summary>
    PipelineGate,
}

/// <summary>Who pushes, as the side asking knows it. The gate turns it into the engine's words in one place (<see cref="GateService"/>).</summary>
public abstract record GatePusher
{
    private GatePusher()
    {
    }

    /// <summary>The clone's git user (the client hook, <c>check</c>), asked only when the decision needs it.</summary>
    public sealed record GitUser(Func<Identity> Identity) : GatePusher;

    /// <summary>Named by the server the push arrives at (its pusher variables), with its exact words kept for its own rules.</summary>
    public sealed record Named(Identity Identity) : GatePusher;

    /// <summary>Nobody known: the pipeline gate, which runs long after whoever pushed.</summary>
    public sealed record Unknown : GatePusher;
}

/// <summary>
/// One question to the gate: the policy and the environment a push goes to, the refs it moves (as git gives them), who
/// pushes, any bypass asked for, and how it is asked (<see cref="GateMode"/>). pre-push, pre-receive, <c>check</c> and
/// <c>gate</c> ask through it; the factories say what each of them puts in.
/// </summary>
/// <param name="RouteName">The remote name the plan and the verdict speak of (the environment's name on a server).</param>
/// <param name="RemoteUrl">Where the push goes (the repository itself on a server): redacted into bypass records.</param>
public sealed record GateRequest(PromotionPolicy Policy, EnvironmentPolicy Target, string RouteName, string RemoteUrl, IReadOnlyList<RefUpdate> Updates,
    GatePusher Pusher, GateMode Mode)
{
    /// <summary>The justification of a bypass asked for (PROMOTE_BYPASS, <c>-o promote.bypass</c>); null when none is.</summary>
    public string? Bypass { get; init; }

    /// <summary>A server hook's: the target environment's records are this repository's own (<see cref="IRepositoryEvidence.ServerStores"/>).</summary>
    public ServerHookStores? Server { get; init; }

    /// <summary>A push git is about to make, or a dry run of one.</summary>
    public static GateRequest Push(PromotionPolicy policy, EnvironmentPolicy target, string routeName, string remoteUrl, IReadOnlyList<RefUpdate> updates,
        GatePusher pusher, string? bypass, bool dryRun = false) =>
        new(policy, target, routeName, remoteUrl, updates, pusher, dryRun ? GateMode.DryRun : GateMode.Push) { Bypass = bypass };

    /// <summary>
    /// "Would a push of this commit to that environment go through now?": a push of the policy's deploy branch to the
    /// environment's first remote, by the clone's git user.
    /// </summary>
    /// <param name="tip">What the target's deploy branch holds now, when known: the push is then judged exactly as git would send
    /// it (a commit behind the tip is a rollback, one ahead of it a promotion). Null: as a push that creates the branch.</param>
    public static GateRequest Check(PromotionPolicy policy, EnvironmentPolicy target, string rev, string commit, string? tip, Func<Identity> gitUser)
    {
        var remoteName = RemoteNameOf(target);
        var update = new RefUpdate(rev, commit, "refs/heads/" + policy.DefaultBranch(), tip ?? new string('0', commit.Length));
        return new(policy, target, remoteName, remoteName, [update], new GatePusher.GitUser(gitUser), GateMode.Check);
    }

    /// <summary>The pipeline gate's question: may the commit its pipeline fetched be deployed to the environment?</summary>
    public static GateRequest PipelineGate(PromotionPolicy policy, EnvironmentPolicy target, string commit)
    {
        var remoteName = RemoteNameOf(target);
        var request = GateDecision.Request(policy, commit, remoteName, $"the {target.Name} pipeline");
        return new(policy, target, request.RemoteName, request.RemoteUrl, request.Updates, new GatePusher.Unknown(), GateMode.PipelineGate);
    }

    /// <summary>The name a push to <paramref name="target"/> goes by when no remote was named: its first remote, else its own name.</summary>
    public static string RemoteNameOf(EnvironmentPolicy target) => EnvironmentRouter.RemoteNames(target).FirstOrDefault() ?? target.Name;
}

/// <summary>The gate's answer: the decision, and for a refusal what to push instead and where the evidence was looked for.</summary>
/// <param name="RecentGreen">For a refusal: the newest commits that may go instead, newest first.</param>
/// <param name="SuggestedPush">The push that sends the first of them, as git accepts it; null when there is none.</param>
public sealed record GateAnswer(BatchVerdict Verdict, IReadOnlyList<CommitDescription> RecentGreen, string? SuggestedPush = null)
{
    /// <summary>At most this many commits are suggested instead of a refused one.</summary>
    public const int MostSuggested = 5;

    /// <summary>For a refusal: where the previous and the target environment were read (AWS account, region, credentials).</summary>
    public IReadOnlyList<EvidenceWhere> LookedIn { get; init; } = [];
}
