using System.Text;
using GitPromote.Core.Engine;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Core.Push;
using GitPromote.Gate;

namespace GitPromote.Cli.Output;

/// <summary>How a bypass is asked for where this message will be read: env var on a client, push option on a server.</summary>
public sealed record BypassHint(string Template);

/// <summary>
/// Turns a verdict into the few lines a person reads in their terminal: what was refused, why, what to do.
/// Allowed promotions get one line each; unguarded refs say nothing.
/// </summary>
public sealed class VerdictRenderer(Style style)
{
    public const int RecentGreenShown = GateAnswer.MostSuggested;

    /// <param name="recentGreen">The newest commits that may go instead, newest first.</param>
    /// <param name="suggestedPush">The push that sends the first of them, as git accepts it; null when there is none.</param>
    /// <param name="deployment">The pipeline gate: what it refuses is a deployment, not a push.</param>
    /// <param name="lookedIn">Where the environments were read (AWS account and region), said with a refusal.</param>
    public string Render(BatchVerdict verdict, IReadOnlyList<CommitDescription> recentGreen, BypassHint bypass, string? suggestedPush = null,
        bool deployment = false, IReadOnlyList<EvidenceWhere>? lookedIn = null)
    {
        var sb = new StringBuilder();
        var target = verdict.Target?.Name ?? "?";
        var previous = verdict.Previous?.Name ?? "?";
        foreach (var r in verdict.Refs)
        {
            var branch = Core.Push.RefNames.Short(r.Update.RemoteRef);
            var commit = r.Update.Commit ?? r.Update.NewId;
            switch (r.Kind)
            {
                case VerdictKind.Promoted:
                    sb.AppendLine(
                        $"git-promote: {style.Green("ok")} {target}/{branch} <- {ObjectIds.Short(commit)}: green in {previous} ({r.Evidence?.Source})");
                    break;
                case VerdictKind.Rollback:
                    sb.AppendLine($"git-promote: {style.Yellow("rollback")} {target}/{branch} <- {ObjectIds.Short(commit)}: green in {target} before " +
                        "(rollback: previously-green)");
                    break;
                case VerdictKind.Bypass:
                    sb.AppendLine(style.Yellow($"git-promote: BYPASS {target}/{branch} <- {ObjectIds.Short(commit)} by {r.Bypass!.By}"));
                    sb.AppendLine($"  justification: {Quoting.OneLine(r.Bypass.Justification)}");
                    if (r.Bypass.Overrides.Count > 0) sb.AppendLine($"  set aside: {string.Join(", ", r.Bypass.Overrides)}");
                    if (r.Checks.Any(c => c.Rule == Rule.Revocation && c.Outcome == CheckOutcome.Unknown))
                        sb.AppendLine(style.Yellow("  revocations could not be read: this bypass sets them aside (the record says so: set aside: revocation)"));
                    sb.AppendLine(verdict.BypassesNotRecordedForDryRun
                        ? $"  dry run: nothing recorded; the push for real records the bypass in {target}'s store"
                        : $"  recorded in {target}'s store; it shows in: git promote audit {target}");
                    break;
                case VerdictKind.AllowedOnError:
                    sb.AppendLine(style.Yellow(
                        $"git-promote: WARNING {target}/{branch} <- {ObjectIds.Short(commit)} allowed without evidence (on_error: allow)"));
                    AppendFailure(sb, r.Failure);
                    break;
            }
        }

        var blocked = verdict.Blocked.ToList();
        if (blocked.Count == 0) return sb.ToString();

        var deployRefs = verdict.Refs.Count(x => x.Kind != VerdictKind.Unguarded);
        sb.AppendLine(deployment
            ? style.Red(style.Bold($"git-promote: deployment to {target} refused"))
            : style.Red(style.Bold($"git-promote: push to {target} refused")) + $" ({blocked.Count} of {deployRefs} deploy ref{(deployRefs == 1 ? "" : "s")})");
        foreach (var r in blocked)
        {
            var branch = Core.Push.RefNames.Short(r.Update.RemoteRef);
            var commit = r.Update.Commit ?? r.Update.NewId;
            sb.Append("  ").Append(style.Bold(r.Update.RemoteRef)).Append(": ");
            switch (r.Reason)
            {
                case BlockReason.DeletesDeployBranch:
                    sb.AppendLine($"deleting the deploy branch '{branch}' of {target} is not allowed");
                    sb.AppendLine($"    to take {target} back, push an older green commit instead: git push {verdict.Request.RemoteName} <commit>:{branch}");
                    break;
                case BlockReason.NotACommit:
                    sb.AppendLine($"{ObjectIds.Short(r.Update.NewId)} is not a commit in this repository");
                    break;
                case BlockReason.BypassRejected:
                    sb.AppendLine($"the bypass justification does not match the policy's pattern {verdict.BypassPattern}");
                    sb.AppendLine($"    e.g. {bypass.Template.Replace("{justification}", "INC-123: <what happened and who approved>")}");
                    AppendChecks(sb, r);
                    break;
                case BlockReason.BypassPatternTimedOut:
                    sb.AppendLine(
                        $"the policy's bypass pattern {verdict.BypassPattern} took too long on this justification and was stopped, so the bypass is refused");
                    sb.AppendLine("    use a shorter, plain justification; if it keeps happening, simplify bypass.justification in .promote.yml");
                    AppendChecks(sb, r);
                    break;
                case BlockReason.NotGreen or BlockReason.EvidenceUnavailable or BlockReason.Revoked or BlockReason.SoakPending
                    or BlockReason.Frozen or BlockReason.ApprovalsMissing or BlockReason.Unhealthy:
                    AppendRefused(sb, r, commit, target, previous);
                    break;
                case BlockReason.BypassNotRecorded:
                    sb.AppendLine("the bypass could not be recorded, so it is not allowed");
                    AppendFailure(sb, r.Failure);
                    break;
            }
        }

        if (blocked.Any(b => b.Reason is BlockReason.NotGreen or BlockReason.EvidenceUnavailable or BlockReason.Revoked) && lookedIn is { Count: > 0 })
        {
            foreach (var place in lookedIn) sb.AppendLine($"  looked in {place.Environment}: {Quoting.OneLine(place.Description)}");
            AppendSameAccountWarnings(sb, lookedIn);
        }
        if (blocked.Any(b => b.Reason is BlockReason.NotGreen or BlockReason.EvidenceUnavailable or BlockReason.Revoked))
        {
            if (recentGreen.Count > 0)
            {
                sb.AppendLine($"  newest commits green in {previous}:");
                foreach (var g in recentGreen.Take(RecentGreenShown))
                {
                    var when = g.When is { } w ? Core.Engine.Time.Utc(w) : "";
                    sb.AppendLine($"    {ObjectIds.Short(g.Commit)}  {when,-17}  {Truncate(g.Subject ?? "", 60)}".TrimEnd());
                }
                if (suggestedPush is not null) sb.AppendLine($"  to promote the newest of them: {style.Bold(suggestedPush)}");
            }
            else if (blocked.FirstOrDefault(b => b.Reason == BlockReason.NotGreen) is { } notGreen)
            {
                var shortId = ObjectIds.Short(notGreen.Update.Commit ?? notGreen.Update.NewId);
                sb.AppendLine($"  nothing that may go to {target} is green in {previous} yet: push {shortId} to {previous}; once {previous}'s pipeline " +
                    $"deployed it, its last step records it green (git promote record {previous} {shortId})");
            }
        }
        if (blocked.Any(b => b.Reason is BlockReason.NotGreen or BlockReason.EvidenceUnavailable or BlockReason.SoakPending
                or BlockReason.Frozen or BlockReason.ApprovalsMissing or BlockReason.Unhealthy))
            sb.AppendLine($"  in an emergency: {bypass.Template.Replace("{justification}", "<justification>")} (must match {verdict.BypassPattern})");
        return sb.ToString();
    }

    /// <summary>A warning for each pair of environments read in one account and region (the gate's header says it too).</summary>
    public void AppendSameAccountWarnings(StringBuilder sb, IReadOnlyList<EvidenceWhere> places)
    {
        foreach (var (first, second) in EvidenceWhere.SameAccount(places))
            sb.AppendLine(style.Yellow($"  warning: {Quoting.OneLine(EvidenceWhere.SameAccountWarning(first, second))}"));
    }

    /// <summary>
    /// A ref refused by rules: a headline naming every rule that failed, then a line per rule. When order is what failed,
    /// the headline says it as it always has ("... is not green in stg"), with the evidence that was missing.
    /// </summary>
    private static void AppendRefused(StringBuilder sb, RefVerdict r, string commit, string target, string previous)
    {
        var rules = $"({string.Join(", ", r.Failed.Select(c => c.Name))})";
        var order = r.Failed.FirstOrDefault(c => c.Rule == Rule.Order);
        if (r.Reason == BlockReason.NotGreen)
        {
            sb.AppendLine($"{ObjectIds.Short(commit)} is not green in {previous} {rules}");
            sb.AppendLine($"    no evidence in: {string.Join(", ", r.Lacking.Select(l => l.Label))}");
            AppendChecks(sb, r, except: Rule.Order);
        }
        else if (order is { Outcome: CheckOutcome.Unknown })
        {
            sb.AppendLine($"could not tell whether {ObjectIds.Short(commit)} is green in {previous} {rules}");
            AppendFailure(sb, r.Failure);
            AppendChecks(sb, r, except: Rule.Order);
        }
        else
        {
            sb.AppendLine($"{ObjectIds.Short(commit)} may not go to {target} {rules}");
            AppendChecks(sb, r);
            // The details already say what failed and why; add what to do about it.
            if (r.Failed.Any(c => c.Outcome == CheckOutcome.Unknown)
                && r.Failure is { } failure) sb.Append("    ").AppendLine(FailureMessage.TodoLine(failure));
        }
    }

    private static void AppendChecks(StringBuilder sb, RefVerdict r, Rule? except = null)
    {
        foreach (var check in r.Failed.Where(c => c.Rule != except))
        {
            sb.AppendLine($"    [{check.Name}] {check.Detail}");
            if (check.Hint is { } hint) sb.AppendLine($"      {hint}");
        }
    }

    private static void AppendFailure(StringBuilder sb, EvidenceFailure? failure)
    {
        if (failure is not null) FailureMessage.AppendCause(sb, failure, "    ");
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..(max - 3)] + "...";
}
