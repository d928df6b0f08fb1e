using System.Globalization;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Core.Push;

namespace GitPromote.Core.Engine;

/// <summary>The rules a push into a guarded environment must pass, in the order a checklist shows them.</summary>
public enum Rule { Order, Soak, Health, Freeze, Approvals, Revocation }

public enum CheckOutcome
{
    Pass,
    Fail,
    /// <summary>The rule could not be decided: what it needs could not be read.</summary>
    Unknown,
    /// <summary>The rule does not apply: not configured, or not for this kind of push (e.g. approvals for a rollback).</summary>
    Skipped,
}

/// <summary>One line of the checklist: a rule, how it came out, and the words that explain it.</summary>
/// <param name="Until">Soak: when the commit may go; freeze: when the freeze ends. Null otherwise, or when unknown.</param>
public sealed record RuleCheck(Rule Rule, CheckOutcome Outcome, string Detail, DateTimeOffset? Until = null)
{
    public string Name => Names.Of(Rule);

    /// <summary>What to do about a failure, when there is more to say than the detail does.</summary>
    public string? Hint { get; init; }

    /// <summary>Records the rule read and set aside (an approval whose writer is not its approver): said even when the rule passes.</summary>
    public string? SetAside { get; init; }
}

public static class Names
{
    public static string Of(Rule rule) => rule switch
    {
        Rule.Order => "order",
        Rule.Soak => "soak",
        Rule.Health => "health",
        Rule.Freeze => "freeze",
        Rule.Approvals => "approvals",
        Rule.Revocation => "revocation",
        _ => rule.ToString().ToLowerInvariant(),
    };
}

/// <summary>
/// Evaluates every rule for one ref of a push, each on its own, so a refusal can name all the rules that stop it and
/// <c>check --explain</c> can show the whole list. Pure: the clock is <see cref="PushContext.Now"/>, facts are answers.
/// </summary>
internal sealed class RuleEvaluator(PromotionPolicy policy, EnvironmentPolicy target, EnvironmentPolicy previous, PushContext context,
    EnvironmentAnswer? previousAnswer, EnvironmentAnswer? targetAnswer)
{
    public sealed record Result(IReadOnlyList<RuleCheck> Checks, GreenStatus Status, bool IsRollback, GreenFact? RollbackFact);

    public Result Evaluate(RefUpdate update, string commit)
    {
        var status = previousAnswer?.StatusOf(commit) ?? GreenStatus.Unknown([]);
        var here = policy.Rollback == RollbackMode.PreviouslyGreen ? targetAnswer?.StatusOf(commit) : null;
        var revocation = Revocation(commit);
        // A commit revoked here is not green here: it is no rollback target.
        var greenHere = here is { State: GreenState.Green } && targetAnswer?.Records?.RevocationOf(commit) is null;
        // Moving the branch back to a commit once green here is a rollback, even if the previous environment still has it
        // green too: that is what the person pushing does, and what the message should call it.
        // A push that only moves the branch forward is a promotion, never a rollback.
        var isRollback = greenHere && !update.FastForwards && (update.RewindsTarget || status.State != GreenState.Green);

        // A commit revoked in the previous environment no longer counts as green there.
        var revokedThere = previousAnswer?.Records?.RevocationOf(commit) is not null;
        RuleCheck[] checks =
        [
            revokedThere && !isRollback
                ? new(Rule.Order, CheckOutcome.Fail, $"{ObjectIds.Short(commit)} is revoked in {previous.Name}, so it no longer counts as green there")
                : Order(commit, status, isRollback),
            revokedThere && !isRollback && previous.Soak is { } soak
                ? new(Rule.Soak, CheckOutcome.Skipped, $"soak {Time.Span(soak)} in {previous.Name}: {ObjectIds.Short(commit)} is revoked there")
                : Soak(commit, status, isRollback),
            Health(isRollback),
            Freeze(isRollback),
            Approvals(commit, isRollback),
            revocation,
        ];
        return new Result(checks, status, isRollback, isRollback ? here!.Fact : null);
    }

    private RuleCheck Order(string commit, GreenStatus status, bool isRollback)
    {
        if (isRollback)
            return new(Rule.Order, CheckOutcome.Pass, $"rollback: {ObjectIds.Short(commit)} was green in {target.Name} before (rollback: previously-green)");
        return status.State switch
        {
            GreenState.Green => new(Rule.Order, CheckOutcome.Pass, $"green in {previous.Name} ({status.Fact?.Source})"),
            GreenState.NotGreen => new(Rule.Order, CheckOutcome.Fail,
                $"{ObjectIds.Short(commit)} is not green in {previous.Name}; no evidence in: {string.Join(", ", status.Sources.Select(s => s.Label))}"),
            _ => new(Rule.Order, CheckOutcome.Unknown, $"could not tell whether {ObjectIds.Short(commit)} is green in {previous.Name}"
                + (status.Sources.Select(s => s.Failure).FirstOrDefault(f => f is not null) is { } f ? $": {f.What}: {f.Why}" : "")),
        };
    }

    private RuleCheck Soak(string commit, GreenStatus status, bool isRollback)
    {
        if (previous.Soak is not { } soak) return new(Rule.Soak, CheckOutcome.Skipped, $"{previous.Name} has no soak time");
        var need = Time.Span(soak);
        if (isRollback) return new(Rule.Soak, CheckOutcome.Skipped, $"soak {need} in {previous.Name}: not needed for a rollback");
        if (status.State != GreenState.Green)
            return new(Rule.Soak, CheckOutcome.Skipped, $"soak {need} in {previous.Name}: counts from when it is green there");
        if (previousAnswer?.GreenSince(commit) is not { } since)
            return new(Rule.Soak, CheckOutcome.Fail,
                $"soak {need} in {previous.Name} cannot be verified: its green record has no time (record it with git promote record {previous.Name})");
        var allowedFrom = since + soak;
        var green = context.Now - since;
        if (context.Now >= allowedFrom)
            return new(Rule.Soak, CheckOutcome.Pass, $"green in {previous.Name} for {Time.Span(green)} (soak {need})", allowedFrom);
        return new(Rule.Soak, CheckOutcome.Fail,
            $"green in {previous.Name} for {Time.Span(green < TimeSpan.Zero ? TimeSpan.Zero : green)} of {need}; may go at {Time.Utc(allowedFrom)} (in " +
                $"{Time.Span(allowedFrom - context.Now)})",
            allowedFrom);
    }

    /// <summary>
    /// The previous environment's alarms, asked afresh on every push. A rollback is never held by them: rolling back is
    /// how the target gets healthy again, and the previous environment's health says nothing about the older commit.
    /// </summary>
    private RuleCheck Health(bool isRollback)
    {
        if (previous.Health is not { } health) return new(Rule.Health, CheckOutcome.Skipped, $"{previous.Name} has no health alarms");
        if (isRollback) return new(Rule.Health, CheckOutcome.Skipped, $"health of {previous.Name}: not needed for a rollback");
        return HealthRule.Judge(previous, health, previousAnswer?.Health, context.Now);
    }

    private RuleCheck Freeze(bool isRollback)
    {
        if (target.Freeze.Count == 0) return new(Rule.Freeze, CheckOutcome.Skipped, $"{target.Name} has no freeze windows");
        if (FreezeCalendar.At(target.Freeze, context.Now) is not { } frozen)
            return new(Rule.Freeze, CheckOutcome.Pass, $"{target.Name} is not frozen now");
        var until = frozen.Until is { } end ? $"until {Time.Utc(end)}" : "with no end in the next year";
        if (isRollback && target.FreezeAllowsRollback)
            return new(Rule.Freeze, CheckOutcome.Pass, $"{target.Name} is frozen {until} ({frozen.Reasons}), but rollbacks may go in (freeze_allows_rollback)",
                frozen.Until);
        return new(Rule.Freeze, CheckOutcome.Fail, $"{target.Name} is frozen {until}: {frozen.Reasons}", frozen.Until);
    }

    private RuleCheck Approvals(string commit, bool isRollback)
    {
        var required = target.RequiredApprovals;
        if (required == 0) return new(Rule.Approvals, CheckOutcome.Skipped, $"{target.Name} needs no approvals");
        if (isRollback) return new(Rule.Approvals, CheckOutcome.Skipped, $"{required} approval{S(required)} for {target.Name}: not needed for a rollback");
        var records = targetAnswer?.Records;
        if (records is null || !records.ApprovalsRead || records.Failure is not null)
            return new(Rule.Approvals, CheckOutcome.Unknown, $"could not read the approvals in {target.Name}"
                + (records?.Failure is { } f ? $": {f.What}: {f.Why}" : ""));
        // Fail, not Unknown: with on_error: allow an unknown outcome lets the push through, and an unidentified
        // pusher must never skip the four-eyes rule.
        if (context.StoreIdentity is not { } pusher)
            return new(Rule.Approvals, CheckOutcome.Fail, $"could not tell who is pushing, so approvals in {target.Name} cannot be counted");
        var mine = ApproverIds.Of(pusher);
        var all = records.ApprovalsOf(commit);
        var others = all.Where(a => a.ApproverId != mine).ToList();
        var names = others.Count == 0 ? "" : $" ({string.Join(", ", others.Select(a => a.Who))})";
        var own = all.Count > others.Count ? "; your own does not count" : "";
        // Read, and set aside: an approval whose writer (as the store records it) is not the approver it names.
        var ignored = records.IgnoredApprovalsOf(commit);
        var setAside = ignored.Count == 0 ? null : "not counted: " + string.Join("; ", ignored.Select(i => i.Describe()));
        var aside = setAside is null ? "" : $"; {setAside}";
        if (others.Count >= required)
            return new(Rule.Approvals, CheckOutcome.Pass, $"{others.Count} of {required} approval{S(required)} from others{names}{aside}")
            {
                SetAside = setAside,
            };
        return new(Rule.Approvals, CheckOutcome.Fail,
            $"{others.Count} of {required} approval{S(required)} from others{names}{own}{aside}; another person runs: git promote approve {target.Name} " +
                $"{ObjectIds.Short(commit)}")
        { SetAside = setAside };
    }

    private RuleCheck Revocation(string commit)
    {
        foreach (var (env, answer) in new[] { (previous, previousAnswer), (target, targetAnswer) })
        {
            if (answer?.Records?.RevocationOf(commit) is { } r)
                return new(Rule.Revocation, CheckOutcome.Fail, $"{ObjectIds.Short(commit)} is revoked in {env.Name}{Describe(r)}")
                {
                    Hint = $"no bypass sets a revocation aside; once fixed and tested again: git promote record {env.Name} {ObjectIds.Short(commit)} --force",
                };
        }
        // Both are asked on every push: a store that did not answer is one that might say "revoked".
        var unknown = Unreadable(previous, previousAnswer) ?? Unreadable(target, targetAnswer);
        if (unknown is not null) return unknown;
        return new(Rule.Revocation, CheckOutcome.Pass, $"not revoked in {previous.Name} or {target.Name}");
    }

    private static RuleCheck? Unreadable(EnvironmentPolicy env, EnvironmentAnswer? answer)
    {
        if (answer?.Records is { Failure: null }) return null;
        var failure = answer?.Records?.Failure;
        return new(Rule.Revocation, CheckOutcome.Unknown,
            $"could not read the revocations of {env.Name}" + (failure is null ? "" : $": {failure.What}: {failure.Why}"));
    }

    private static string Describe(Evidence.Revocation r)
    {
        var by = r.By is { } who ? $" by {who}" : "";
        var at = r.At is { } when ? $" at {Time.Utc(when)}" : "";
        var reason = r.Reason is { Length: > 0 } why ? $": {why}" : "";
        return by + at + reason;
    }

    private static string S(int n) => n == 1 ? "" : "s";
}

/// <summary>Times and spans as messages print them: every human-readable time goes through <see cref="Utc"/>, so it shows its zone.</summary>
public static class Time
{
    public static string Utc(DateTimeOffset at) => FreezeCalendar.Utc(at);

    /// <summary>A span to the minute (to the second under a minute): <c>1h25m</c>, <c>3d4h</c>, <c>45s</c>.</summary>
    public static string Span(TimeSpan span)
    {
        if (span < TimeSpan.FromMinutes(1)) return $"{Math.Max(0, (int)Math.Ceiling(span.TotalSeconds))}s";
        var minutes = (long)Math.Ceiling(span.TotalMinutes);
        long days = minutes / 1440, hours = minutes % 1440 / 60, mins = minutes % 60;
        var text = (days > 0 ? $"{days}d" : "") + (hours > 0 ? $"{hours}h" : "") + (mins > 0 ? $"{mins}m" : "");
        return text.Length == 0 ? "0m" : text;
    }
}
