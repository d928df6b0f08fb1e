using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Output;
using GitPromote.Cli.Workspaces;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Core.Push;

namespace GitPromote.Cli.Commands;

/// <summary>
/// <c>git promote audit [&lt;env&gt;]</c>: every recorded bypass, revocation (standing or lifted) and deployment recorded with
/// <c>--force</c>, oldest first, from each environment's own store.
/// </summary>
public static class AuditCommand
{
    /// <summary>One line of the audit: a bypass, a revocation, or the lifting of one.</summary>
    private sealed record Entry(string Kind, string Environment, string Commit, DateTimeOffset At, Identity By, string Text, AuditEntryJson Json);

    public static async Task<int> RunAsync(CommandContext context, CommandLine args)
    {
        using var workspace = Workspace.Find(context);
        var policy = workspace.RequirePolicy().Policy;
        var named = args.Positional(0) is { } name ? PolicySource.RequireEnvironment(policy, name) : null;
        // Bypasses happen only on guarded pushes; a revocation can be anywhere, the first environment too.
        var bypassEnvs = named is not null ? [named] : policy.Environments.Skip(1).ToList();
        var revocationEnvs = named is not null ? [named] : policy.Environments.ToList();
        IEvidenceProvider provider = workspace.EvidenceProvider(policy);

        using var deadline = new CancellationTokenSource(policy.Timeout);
        var entries = new List<Entry>();
        var failures = new List<(string Env, string What, EvidenceFailure Failure)>();
        var skipped = new List<(string Env, string Ref)>();
        var incomplete = new List<(string Env, string What)>();
        foreach (var env in bypassEnvs)
        {
            try
            {
                var store = provider.OpenStore(env);
                var bypasses = await store.ListBypassesAsync(deadline.Token);
                var notLanded = await store.NotSeenLandedAsync(bypasses, deadline.Token);
                // Which deployment used each bypass: the events from a day of clock skew before the oldest bypass on, with their bodies.
                var usedBy = bypasses.Count == 0 || !store.KeepsDeployments ? new Dictionary<BypassRecord, DeploymentEvent>()
                    : BypassUse.UsedBy(bypasses, await store.ListDeploymentsAsync(bypasses.Min(b => b.At).AddDays(-1), deadline.Token));
                entries.AddRange(bypasses.Select(b => Bypass(b, notLanded is null ? null : !notLanded.Contains(b), usedBy.GetValueOrDefault(b))));
                skipped.AddRange(store.Unreadable.Select(r => (env.Name, r)));
                incomplete.AddRange(store.BoundReached.Select(r => (env.Name, r)));
            }
            catch (Exception e) when (Deadline.Failure(e, deadline.Token, $"the store of {env.Name}", policy.Timeout) is { } failure)
            {
                failures.Add((env.Name, "bypass records", failure));
            }
        }
        foreach (var env in revocationEnvs)
        {
            try
            {
                // The review store is the record store itself, so its listings' skips and bounds are read from it.
                var store = provider.OpenStore(env);
                var reviews = IEvidenceProvider.ReviewStoreIn(store, env);
                entries.AddRange((await reviews.ListRevocationsAsync(deadline.Token)).Select(r => Revoked(r, lifted: null)));
                foreach (var lifted in await reviews.ListLiftedRevocationsAsync(deadline.Token))
                {
                    entries.Add(Revoked(lifted.Revocation, lifted));
                    entries.Add(Lifted(lifted));
                }
                skipped.AddRange(store.Unreadable.Select(r => (env.Name, r)));
                incomplete.AddRange(store.BoundReached.Select(r => (env.Name, r)));
            }
            catch (Exception e) when (Deadline.Failure(e, deadline.Token, $"the store of {env.Name}", policy.Timeout) is { } failure)
            {
                failures.Add((env.Name, "revocations", failure));
            }
            // Deployments recorded with --force: the environment was not seen deploying them (events are written once, unlike green).
            try
            {
                if (provider.OpenStore(env) is { KeepsDeployments: true } events)
                    entries.AddRange((await events.ListDeploymentsAsync(DateTimeOffset.MinValue, deadline.Token))
                        .Where(d => d.Forced is not null).Select(Forced));
            }
            catch (Exception e) when (Deadline.Failure(e, deadline.Token, $"the store of {env.Name}", policy.Timeout) is { } failure)
            {
                failures.Add((env.Name, "deployment events", failure));
            }
        }
        // Records the store keeps every version of (SSM): one written twice, or an approval in someone else's name, is named with every version.
        var findings = new List<RecordFinding>();
        foreach (var env in revocationEnvs)
        {
            try
            {
                if (await provider.OpenStore(env).CheckRecordHistoriesAsync(deadline.Token) is not { } checkedHistories) continue;
                var (found, notChecked) = checkedHistories;
                findings.AddRange(found);
                if (notChecked is not null) incomplete.Add((env.Name, "record histories not read: " + notChecked));
            }
            catch (Exception e) when (Deadline.Failure(e, deadline.Token, $"the store of {env.Name}", policy.Timeout) is { } failure)
            {
                failures.Add((env.Name, "record histories", failure));
            }
        }
        entries.Sort((x, y) => x.At.CompareTo(y.At));

        if (args.Get(Options.Json))
        {
            Json.Write(context.Console.Out, new AuditJson(entries.Select(e => e.Json).ToList()), Json.Types.AuditJson);
        }
        else if (entries.Count == 0)
        {
            var where = string.Join(", ", bypassEnvs.Select(e => e.Name));
            context.Console.Out.WriteLine(
                $"no bypasses recorded in {(where.Length == 0 ? "any environment" : where)}, no revocations, and no deployment recorded with --force");
        }
        else
        {
            foreach (var e in entries)
                context.Console.Out.WriteLine($"{Core.Engine.Time.Utc(e.At)}  {e.Environment,-6} {ObjectIds.Short(e.Commit)}  {e.Text}");
        }

        // A record that cannot be read is named, not allowed to hide the others: the audit goes on without it.
        foreach (var (env, skippedRef) in skipped.Distinct())
            context.Console.Error.WriteLine(
                $"git-promote: skipped a record of {env} that cannot be read: {skippedRef} (not a well-formed record, or its commit is missing)");
        foreach (var (env, what) in incomplete.Distinct())
            context.Console.Error.WriteLine($"git-promote: the audit of {env} is incomplete: {what} (delete what is not a record there, then audit again)");
        foreach (var f in findings)
        {
            context.Console.Error.WriteLine($"git-promote: {f.Environment}: {Quoting.Show(f.Record, 300)}: {f.Problem}");
            foreach (var v in f.Versions)
                context.Console.Error.WriteLine($"  version {v.Version}{(v.At is { } at ? $" at {Core.Engine.Time.Utc(at)}" : "")} by " +
                    $"{Quoting.Show(v.Writer ?? "(SSM names no writer)", 300)}: {Quoting.Show(Quoting.OneLine(v.Text), 300)}");
        }
        foreach (var (env, what, failure) in failures)
            FailureMessage.Print(context.Console, ExitCodes.Blocked, $"could not read the {what} of {env}", failure);
        return failures.Count == 0 && incomplete.Count == 0 && findings.Count == 0 ? ExitCodes.Ok : ExitCodes.Blocked;
    }

    /// <param name="landed">False when the push cannot be seen as landed (its ref does not hold the commit now); null when not checked (SSM).</param>
    /// <param name="usedBy">The deployment that used the bypass; null while none has (it may still admit one).</param>
    private static Entry Bypass(BypassRecord r, bool? landed, DeploymentEvent? usedBy) => new("bypass", r.Environment, r.Commit, r.At, r.By,
        $"{r.By}  \"{Quoting.OneLine(r.Justification)}\"" + (r.Overrides.Count > 0 ? $"  (set aside: {string.Join(", ", r.Overrides)})" : "")
            + (usedBy is { } d ? $"  (used by the deployment at {Core.Engine.Time.Utc(d.At)} by {d.By})"
                : "  (UNUSED: no deployment used it yet; the next deployment of this commit may)")
            + (landed == false ? $"  (NOT SEEN LANDED: {Quoting.Show(r.Ref, 200)} of {r.Environment} does not hold it; the push was refused or killed after " +
                "it was recorded, or rolled back since)" : ""),
        new AuditBypassJson(r.Environment, r.Commit, r.Ref, Json.Time(r.At), r.By.Name, r.By.Email, r.Justification, r.Overrides, landed,
            usedBy is { } u ? new AuditDeploymentJson(Json.Time(u.At)!, DeploymentKinds.Name(u.Kind), u.By.ToString()) : null));

    private static Entry Revoked(Revocation r, LiftedRevocation? lifted)
    {
        var by = r.By ?? Identity.Unknown;
        return new("revocation", r.Environment, r.Commit, r.At ?? DateTimeOffset.MinValue, by,
            $"REVOKED by {by}  \"{Quoting.OneLine(r.Reason ?? "")}\"" + (lifted is null ? "" : $"  (lifted {Core.Engine.Time.Utc(lifted.At)})"),
            new AuditRevocationJson(r.Environment, r.Commit, Json.Time(r.At), by.Name, by.Email, r.Reason, Standing: lifted is null));
    }

    private static Entry Forced(DeploymentEvent d) => new("forced", d.Environment, d.Commit, d.At, d.By,
        $"RECORDED WITH --force by {d.By}: {d.Forced}",
        new AuditForcedJson(d.Environment, d.Commit, Json.Time(d.At), d.By.Name, d.By.Email, d.Forced!));

    private static Entry Lifted(LiftedRevocation l) => new("lifted", l.Revocation.Environment, l.Revocation.Commit, l.At, l.By,
        $"revocation lifted by {l.By} (git promote record --force)",
        new AuditLiftedJson(l.Revocation.Environment, l.Revocation.Commit, Json.Time(l.At), l.By.Name, l.By.Email, l.Revocation.Reason));
}
