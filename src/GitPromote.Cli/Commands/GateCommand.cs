using System.Text;
using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Output;
using GitPromote.Cli.Workspaces;
using GitPromote.Core.Engine;
using GitPromote.Core.Evidence;
using GitPromote.Core.PipelineGate;
using GitPromote.Core.Policy;
using GitPromote.Core.Push;
using GitPromote.Core.Settings;
using GitPromote.Gate;
using GitPromote.Git.Evidence;

namespace GitPromote.Cli.Commands;

/// <summary>
/// <c>git promote gate &lt;env&gt;</c>: the first action of an environment's own pipeline. Exit 0 when the commit may be
/// deployed there (promotion or rollback by the rules of a guarded push, or a bypass recorded in that environment's store),
/// 1 when not. The enforcement point for git hosts that run no server hook.
/// </summary>
public static class GateCommand
{
    public static async Task<int> RunAsync(CommandContext context, CommandLine args)
    {
        var target = await PipelineTarget.ResolveAsync(context, args, pinnedOnly: true);
        using var workspace = target.Workspace;
        var (policy, env, commit) = (target.Policy, target.Environment, target.Commit);

        var provider = workspace.EvidenceProvider(policy);
        using var deadline = new CancellationTokenSource(policy.Timeout);
        var result = await workspace.Gate.DecideAsync(GateRequest.PipelineGate(policy, env, commit), deadline.Token);
        var refVerdict = result.Verdict.Refs[0];

        BypassChoice? bypasses = null;
        EvidenceFailure? bypassUnread = null;
        if (GateDecision.MayBeBypassed(refVerdict))
        {
            // Its own budget, as when a push records one: a bypass matters most when evidence hung and used up the time.
            using var bypassDeadline = new CancellationTokenSource(policy.Timeout);
            try
            {
                bypasses = await ChooseBypassAsync(workspace, provider.OpenStore(env), policy, env, commit, context.Clock.Now, bypassDeadline.Token);
            }
            catch (Exception e) when (Deadline.Failure(e, bypassDeadline.Token, $"the bypass records of {env.Name}", policy.Timeout, RetryTodo) is { } failure)
            {
                bypassUnread = failure;
            }
        }
        var gate = GateDecision.Decide(env, commit, refVerdict, bypasses, await FirstEnvironmentRecordsAsync(provider, env, refVerdict, commit, policy.Timeout),
            policy.OnError);
        // A pipeline reaches each account with its role (PROMOTE_AWS_ROLE_<ENV>) or stands in for a profile: say which, and where.
        if (result.LookedIn.Count == 0) result = result with { LookedIn = await ReadInAsync(provider, policy, env) };

        if (args.Get(Options.Json))
            Json.Write(context.Console.Out, ToJson(gate, target, result.Verdict), Json.Types.GateJson);
        else
            context.Console.Out.Write(Render(new Style(context.Console.ColorOnOut), gate, target, result, bypassUnread));
        return gate.Admitted ? ExitCodes.Ok : ExitCodes.Blocked;
    }

    /// <summary>
    /// The bypass this deployment may use: the environment's bypass records of the commit, and (when there are some) its
    /// deployment events, which say which of them a deployment already used. The gate only reads: <c>record</c>, after the
    /// deployment, writes the event that uses the bypass up. Events that cannot be read fail closed (the bypass may be used).
    /// </summary>
    private static async Task<BypassChoice> ChooseBypassAsync(Workspace workspace, IRecordStore store, PromotionPolicy policy, EnvironmentPolicy env,
        string commit, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var records = (await store.ListBypassesAsync(cancellationToken))
            .Where(b => string.Equals(b.Environment, env.Name, StringComparison.Ordinal) && string.Equals(b.Commit, commit, StringComparison.OrdinalIgnoreCase))
            .ToList();
        if (records.Count == 0) return BypassChoice.None;
        if (!store.KeepsDeployments)
            throw new EvidenceUnavailableException(new EvidenceFailure($"the deployment events of {env.Name}",
                "its store keeps none, so a used bypass cannot be told from an unused one", $"give {env.Name} git or ssm evidence in the pinned policy"));
        // The events that may have used one: from a day of clock skew before the oldest record on, read with their bodies.
        var deployments = await store.ListDeploymentsAsync(records.Min(b => b.At).AddDays(-1), cancellationToken);
        return GateDecision.ChooseBypass(policy, env, commit, records, deployments, now, RecordCommand.CommitTime(workspace, commit));
    }

    /// <summary>
    /// The first environment has no rules to pass, but a commit revoked there is still not deployed there: its own
    /// store is asked (null when it keeps no records, i.e. it is proven only by CodePipeline).
    /// </summary>
    private static async Task<ReviewRecords?> FirstEnvironmentRecordsAsync(IEvidenceStores provider, EnvironmentPolicy env,
        RefVerdict verdict, string commit, TimeSpan timeout)
    {
        if (verdict.Kind != VerdictKind.Unguarded || env.StoreEvidence is null) return null;
        using var deadline = new CancellationTokenSource(timeout);
        IReviewStore store;
        try
        {
            store = provider.OpenReviewStore(env);
            return await store.FindReviewsAsync([commit], approvals: false, deadline.Token);
        }
        catch (Exception e) when (Deadline.Failure(e, deadline.Token, $"the revocations of {env.Name}", timeout, RetryTodo) is { } failure)
        {
            return ReviewRecords.Failed(env.Name, failure);
        }
    }

    /// <summary>The accounts and regions this gate read the previous environment and its own in (none for git-only ones).</summary>
    private static async Task<IReadOnlyList<EvidenceWhere>> ReadInAsync(IEvidenceStores provider, PromotionPolicy policy, EnvironmentPolicy env)
    {
        using var deadline = new CancellationTokenSource(policy.Timeout);
        return await EvidenceWhere.OfAsync(provider, policy.PreviousOf(env) is { } previous ? [previous, env] : [env], deadline.Token);
    }

    /// <summary>What to do when a store did not answer in time: the pipeline step is what runs again, not a push.</summary>
    private const string RetryTodo = "retry the pipeline step";

    private static string Render(Style style, GateVerdict gate, PipelineTarget target, GateAnswer result, EvidenceFailure? bypassUnread)
    {
        var sb = new StringBuilder();
        var env = gate.Environment;
        var shortId = ObjectIds.Short(gate.Commit);
        var r = gate.Ref!;
        var previous = result.Verdict.Previous?.Name;
        sb.AppendLine($"git-promote gate: {shortId} for {env} ({target.CommitFrom}; policy {Quoting.Show(target.PolicyShown, 120)})");
        foreach (var place in result.LookedIn) sb.AppendLine($"  read {place.Environment} in {Quoting.OneLine(place.Description)}");
        new VerdictRenderer(style).AppendSameAccountWarnings(sb, result.LookedIn);
        switch (gate.Outcome)
        {
            case VerdictKind.Unguarded:
                sb.AppendLine(style.Green($"ADMITTED: {env} is the first environment, it has no gate"));
                return sb.ToString();
            case VerdictKind.Blocked when gate.Revoked is { } revoked:
                sb.AppendLine(style.Red(style.Bold($"REFUSED: {shortId} is revoked in {env}{Quoting.Show(StoreWrites.Describe(revoked), 300)}")));
                sb.AppendLine($"  once fixed and tested again: git promote record {env} {shortId} --force");
                return sb.ToString();
            case VerdictKind.Blocked when gate.Unreadable is { } unreadable:
                sb.AppendLine(style.Red(style.Bold($"REFUSED: could not tell whether {shortId} is revoked in {env}")));
                FailureMessage.AppendCause(sb, unreadable, "  ");
                return sb.ToString();
            case VerdictKind.Promoted:
                sb.AppendLine(style.Green($"ADMITTED: green in {previous} ({r.Evidence?.Source})"));
                break;
            case VerdictKind.Rollback:
                sb.AppendLine(style.Yellow($"ADMITTED as a rollback: green in {env} before (rollback: previously-green)"));
                break;
            case VerdictKind.AllowedOnError:
                sb.AppendLine(style.Yellow($"ADMITTED WITHOUT EVIDENCE (on_error: allow): {r.Failure?.What}: {r.Failure?.Why}"));
                break;
            case VerdictKind.Bypass:
                sb.AppendLine(style.Yellow(style.Bold($"ADMITTED UNDER A BYPASS recorded in {env}'s store: this deployment skips the rules below")));
                foreach (var line in GateDecision.DescribeBypass(gate.Bypass!)) sb.AppendLine($"  {line}");
                if (gate.RevocationsUnread)
                    sb.AppendLine(style.Yellow(
                        $"  revocations could not be read ({r.Failure?.What}): the bypass sets them aside; a commit revoked there would go in"));
                sb.AppendLine($"  git promote record {env} uses this bypass up after the deployment: a later deployment of {shortId} needs its own");
                break;
            case VerdictKind.Blocked:
                sb.AppendLine(style.Red(style.Bold($"REFUSED: {shortId} may not be deployed to {env}")));
                // The same words a refused push gets; the bypass is asked for with a push, then the pipeline runs again.
                var hint = new BypassHint($"{PromoteSettings.Variables.Bypass}=\"{{justification}}\" git push {result.Verdict.Request.RemoteName} " +
                    $"{shortId}:{Core.Push.RefNames.Short(r.Update.RemoteRef)} (records the bypass in {env}), then run this pipeline again");
                sb.Append(new VerdictRenderer(style).Render(result.Verdict, result.RecentGreen, hint, result.SuggestedPush, deployment: true));
                if (bypassUnread is { } f)
                    sb.AppendLine($"  could not read the bypass records of {env}: {f.What}: {f.Why}");
                foreach (var aside in gate.BypassesSetAside)
                    sb.AppendLine($"  {BypassUse.Describe(aside)}");
                foreach (var unreached in UnreachedGitEnvironments(target, result.Verdict))
                    sb.AppendLine($"  {unreached}'s git evidence needs its remote here: --remote {unreached}=<url> (or " +
                        $"{PipelineInputs.VariableFor(PromoteSettings.Variables.RemotePrefix, unreached)}=<url>)");
                break;
        }
        if (previous is not null) sb.Append(new Checklist(style).Render(result.Verdict, r, previous, bypassed: gate.Outcome == VerdictKind.Bypass));
        return sb.ToString();
    }

    /// <summary>Environments of this decision proven by git whose remote a step without a clone was not given.</summary>
    private static IEnumerable<string> UnreachedGitEnvironments(PipelineTarget target, BatchVerdict verdict) =>
        !target.Workspace.IsScratch ? [] : new[] { verdict.Previous, verdict.Target }.OfType<EnvironmentPolicy>()
            .Where(e => e.Evidence.Any(s => s is GitEvidence) && !target.Workspace.EnvironmentRemotes.ContainsKey(e.Name)
                && !e.Remotes.Any(EnvironmentRemote.IsLiteralUrl))
            .Select(e => e.Name);

    private static GateJson ToJson(GateVerdict gate, PipelineTarget target, BatchVerdict verdict)
    {
        var r = gate.Ref!;
        var words = new VerdictJson(gate.Environment, gate.Commit, gate.Admitted, VerdictWords.Outcome(gate.Outcome), VerdictWords.Reason(gate.Reason),
            Message(gate, r, verdict), r.Evidence?.Source, RuleCheckJson.From(r.Checks));
        return new GateJson(words, target.CommitFrom, target.PolicyShown,
            gate.Bypass is { } b ? new GateBypassJson(b.Justification, b.By.ToString(), Json.Time(b.At), b.Ref, b.Overrides) : null);
    }

    private static string Message(GateVerdict gate, RefVerdict r, BatchVerdict verdict) => gate.Outcome switch
    {
        VerdictKind.Blocked when gate.Revoked is not null => $"revoked in {gate.Environment}",
        VerdictKind.Blocked when gate.Unreadable is { } f => $"could not read the revocations of {gate.Environment}: {f.What}: {f.Why}",
        VerdictKind.Bypass => $"bypass recorded in {gate.Environment}'s store",
        _ => VerdictMessage.Of(r, gate.Environment, verdict.Previous?.Name),
    };
}
