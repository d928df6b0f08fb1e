using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Output;
using GitPromote.Cli.Workspaces;
using GitPromote.Core.Engine;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Core.Push;
using GitPromote.Gate;

namespace GitPromote.Cli.Commands;

/// <summary><c>git promote status [--json]</c>: per environment, what is deployed, what is green, and what can go next.</summary>
public static class StatusCommand
{
    private const int GreenShown = 5;

    private sealed record EnvironmentStatus(EnvironmentPolicy Environment, string? Deployed, IReadOnlyList<CommitDescription> Green,
        IReadOnlyList<GreenFact> GreenFacts, string? Next, string? Problem)
    {
        /// <summary>The push that sends <see cref="Next"/>, as git accepts it.</summary>
        public string? NextPush { get; init; }

        /// <summary>What stops <see cref="Next"/> from going now (soak, freeze, approvals pending, ...); empty when it may go.</summary>
        public IReadOnlyList<RuleCheck> NextWaitsFor { get; init; } = [];

        /// <summary>Records the checks of <see cref="Next"/> read and set aside (an approval its approver did not write), whatever the outcome.</summary>
        public IReadOnlyList<string> SetAside { get; init; } = [];
        public IReadOnlyList<Revocation>? Revoked { get; init; }
        /// <summary>The environment's <c>health:</c> alarms judged now; null when it has none.</summary>
        public RuleCheck? Health { get; init; }

        /// <summary>What the pipeline deployed last (its last deployment event, not a server's landing event); null when none is known.</summary>
        public DeploymentEvent? LastDeployment { get; init; }

        /// <summary>Why <see cref="LastDeployment"/> is null.</summary>
        public string? LastDeploymentProblem { get; init; }
    }

    public static async Task<int> RunAsync(CommandContext context, CommandLine args)
    {
        using var workspace = Workspace.Find(context);
        var policy = workspace.RequirePolicy().Policy;
        var branch = policy.DefaultBranch();
        var repository = workspace.Repository;
        var provider = workspace.EvidenceProvider(policy);
        var gatherer = workspace.Gate.Gatherer(policy);

        using var deadline = new CancellationTokenSource(policy.Timeout);
        var perEnv = await Task.WhenAll(policy.Environments.Select(async env =>
        {
            var deployedTask = workspace.DeployedCommitAsync(env, branch, deadline.Token);
            var greenTask = gatherer.RecentGreenAsync(env, deadline.Token);
            var revokedTask = RevocationsAsync(provider, env, deadline.Token);
            var revokedSetTask = gatherer.RevokedCommitsAsync(env, deadline.Token);
            var healthTask = env.Health is { } h ? gatherer.HealthAsync(env, h, deadline.Token) : Task.FromResult<HealthAnswer?>(null);
            var lastTask = LastDeploymentAsync(provider, env, deadline.Token);
            var (deployed, problem) = await deployedTask;
            return (env, deployed, problem, facts: await greenTask, revoked: await revokedTask, revokedSet: await revokedSetTask, health: await healthTask,
                last: await lastTask);
        }));

        // The repository is read one call at a time (libgit2 is not thread-safe): describe commits after the answers.
        var described = perEnv.Select(e => CommitDescriptions.NewestFirst(repository, e.facts)
            .Take(GreenShown).ToList()).ToList();
        var statuses = new List<EnvironmentStatus>();
        for (var i = 0; i < perEnv.Length; i++)
        {
            var (env, deployed, problem, _, revoked, revokedSet, health, last) = perEnv[i];
            var green = described[i];
            // Next: the newest commit green in the previous environment that is not revoked here and not behind what is here.
            var next = i == 0 ? null
                : CommitDescriptions.Candidates(repository, perEnv[i - 1].facts, revokedSet, deployed, max: 1).FirstOrDefault();
            var remote = EnvironmentRouter.RemoteNames(env).FirstOrDefault() ?? env.Name;
            statuses.Add(new EnvironmentStatus(env, deployed, green.Select(g => g.Description).ToList(), green.Select(g => g.Fact).ToList(),
                next?.Fact.Commit, problem)
            {
                NextPush = next is null ? null : CommitDescriptions.PushCommand(remote, branch, next.Fact.Commit, next.Shape, deployed),
                Revoked = revoked,
                Health = env.Health is { } h ? HealthRule.Judge(env, h, health, context.Clock.Now) : null,
                LastDeployment = last.Deployment,
                LastDeploymentProblem = last.Problem,
            });
        }
        // What the next commit of each environment waits for: the same rules as a push (soak, freeze, pending approvals).
        using var checks = new CancellationTokenSource(policy.Timeout);
        for (var i = 0; i < statuses.Count; i++)
        {
            var s = statuses[i];
            if (s.Next is null || !HasGuardrails(s.Environment, policy)) continue;
            var check = await workspace.Gate.DecideAsync(GateRequest.Check(policy, s.Environment, s.Next, s.Next, s.Deployed, workspace.CurrentIdentity),
                checks.Token);
            var next = check.Verdict.Refs[0];
            statuses[i] = s with
            {
                NextWaitsFor = next.Failed.ToList(),
                SetAside = next.Checks.Select(c => c.SetAside).OfType<string>().ToList(),
            };
        }

        if (args.Get(Options.Json)) WriteJson(context, policy, branch, statuses);
        else WriteTable(context, policy, branch, statuses, context.Clock.Now);
        return ExitCodes.Ok;
    }

    private static void WriteTable(CommandContext context, PromotionPolicy policy, string branch, List<EnvironmentStatus> statuses, DateTimeOffset now)
    {
        var style = new Style(context.Console.ColorOnOut);
        var o = context.Console.Out;
        o.WriteLine(style.Bold($"{policy.Name}: {string.Join(" -> ", policy.Environments.Select(e => e.Name))}"));
        foreach (var s in statuses)
        {
            var name = s.Environment.Name;
            o.WriteLine();
            // What the pipeline deployed (its last deployment event) and, apart, what the branch holds: a push around the
            // hook that the gate refused moves the branch, not the deployment.
            var last = s.LastDeployment;
            var deployedText = last is null
                ? "deployed: " + style.Dim(s.LastDeploymentProblem ?? "no deployment recorded")
                : $"deployed {ObjectIds.Short(last.Commit)} ({DeploymentKinds.Name(last.Kind)}, {Core.Engine.Time.Span(now - last.At)} ago)";
            var branchText = s.Deployed is null ? $"{branch}: " + style.Dim(s.Problem ?? "nothing pushed yet")
                : $"{branch} at {ObjectIds.Short(s.Deployed)}" + (last is null ? ""
                    : string.Equals(last.Commit, s.Deployed, StringComparison.OrdinalIgnoreCase) ? ""
                    : style.Yellow(policy.PreviousOf(s.Environment) is null
                        ? " (not deployed yet: its pipeline has not recorded it)"
                        : " (not deployed: the gate refused it, or the pipeline has not finished)"));
            o.WriteLine($"{style.Bold(name),-6} {deployedText}; {branchText}");
            if (s.Green.Count == 0) o.WriteLine("       green: none recorded");
            for (var i = 0; i < s.Green.Count; i++)
            {
                var g = s.Green[i];
                var when = g.When is { } w ? Core.Engine.Time.Utc(w) : "";
                var fact = s.GreenFacts[i];
                o.WriteLine($"       {(i == 0 ? "green:" : "      ")} {ObjectIds.Short(g.Commit)}  {when,-17}  {fact.Source}  {g.Subject}".TrimEnd());
                if (fact.Forced is { } forced) o.WriteLine($"               {style.Yellow("recorded with --force")}: {forced}");
            }
            if (s.Health is { } health)
                o.WriteLine($"       health: {(health.Outcome == CheckOutcome.Pass ? style.Green("ok") : style.Red("NOT OK"))} {health.Detail}");
            foreach (var r in s.Revoked ?? [])
                o.WriteLine(($"       revoked: {ObjectIds.Short(r.Commit)}  {(r.At is { } at ? Core.Engine.Time.Utc(at) : ""),-17}  " +
                    $"{(r.By is { } by ? $"by {by}" : "")}{(r.Reason is { } why ? $": {why}" : "")}").TrimEnd());
            if (s.Next is not null)
            {
                var prev = policy.PreviousOf(s.Environment)!.Name;
                if (s.NextWaitsFor.Count == 0)
                    o.WriteLine($"       next: {ObjectIds.Short(s.Next)} is green in {prev} and can go: " + style.Bold(s.NextPush!));
                else
                {
                    o.WriteLine(
                        $"       next: {ObjectIds.Short(s.Next)} is green in {prev}, waiting for: {string.Join(", ", s.NextWaitsFor.Select(c => c.Name))}");
                    foreach (var c in s.NextWaitsFor) o.WriteLine($"         [{c.Name}] {c.Detail}");
                }
                // Said even when the next commit may go: someone wrote a record in another person's name.
                if (s.NextWaitsFor.All(c => c.SetAside is null))
                    foreach (var aside in s.SetAside) o.WriteLine("         " + style.Yellow(aside));
            }
        }
    }

    /// <summary>Only environments with rules beyond order need the extra questions; order alone is what "green in the previous" already says.</summary>
    private static bool HasGuardrails(EnvironmentPolicy env, PromotionPolicy policy) =>
        env.Freeze.Count > 0 || env.RequiredApprovals > 0 || policy.PreviousOf(env)?.Soak is not null || policy.PreviousOf(env)?.Health is not null;

    /// <summary>
    /// The environment's last deployment event that is a deployment (a server's landing event is a push the pipeline has
    /// not deployed yet), with its kind and who; or why there is none.
    /// </summary>
    private static async Task<(DeploymentEvent? Deployment, string? Problem)> LastDeploymentAsync(IEvidenceProvider provider, EnvironmentPolicy env,
        CancellationToken deadline)
    {
        try
        {
            var store = provider.OpenStore(env);
            if (!store.KeepsDeployments) return (null, $"{env.Name} keeps no deployment events (CodePipeline evidence only)");
            // Names only, but the newest second's bodies: the last event's kind and author are read.
            var events = await store.ListDeploymentsAsync(DateTimeOffset.MaxValue, deadline);
            var last = events.LastOrDefault(e => !e.Landed);
            if (last is not null && !ReferenceEquals(last, events[^1]))
                // The newest was a landing event: read again with the bodies from that deployment on.
                last = (await store.ListDeploymentsAsync(last.At, deadline)).LastOrDefault(e => !e.Landed);
            return last is null ? (null, "no deployment recorded (git promote record writes one)") : (last, null);
        }
        catch (EvidenceUnavailableException e)
        {
            return (null, $"unknown: {e.Failure.What}: {e.Failure.Why}");
        }
        catch (Exception e) when (Deadline.Passed(e, deadline))
        {
            return (null, $"unknown: its deployment events: {EvidenceFailure.NoAnswerInTime()}");
        }
    }

    private const int RevocationsShown = 5;

    /// <summary>The newest standing revocations of an environment; null when its store cannot say.</summary>
    private static async Task<IReadOnlyList<Revocation>?> RevocationsAsync(IEvidenceProvider provider, EnvironmentPolicy env, CancellationToken deadline)
    {
        try
        {
            var all = await provider.OpenReviewStore(env).ListRevocationsAsync(deadline);
            return all.OrderByDescending(r => r.At ?? DateTimeOffset.MinValue).Take(RevocationsShown).ToList();
        }
        catch (Exception e) when (e is EvidenceUnavailableException || Deadline.Passed(e, deadline))
        {
            return null;
        }
    }

    private static void WriteJson(CommandContext context, PromotionPolicy policy, string branch, List<EnvironmentStatus> statuses) =>
        Json.Write(context.Console.Out, new StatusJson(policy.Name, branch, statuses.Select(s => new EnvironmentStatusJson(
                s.Environment.Name,
                s.Deployed,
                s.Problem,
                s.Green.Select((g, i) => new StatusGreenJson(g.Commit, Json.Time(g.When), s.GreenFacts[i].Source, g.Subject, s.GreenFacts[i].Forced)).ToList(),
                s.Next,
                RuleCheckJson.From(s.NextWaitsFor),
                s.Health is { } h ? new StatusHealthJson(h.Outcome == CheckOutcome.Pass, h.Detail, Json.Time(h.Until)) : null,
                s.Revoked?.Select(r => new StatusRevocationJson(r.Commit, r.Reason, r.By?.ToString(), Json.Time(r.At))).ToList(),
                s.LastDeployment is { } d ? new StatusDeploymentJson(d.Commit, Json.Time(d.At), DeploymentKinds.Name(d.Kind), d.By.ToString(), d.Bypass) : null,
                s.LastDeployment is null ? s.LastDeploymentProblem : null)).ToList()),
            Json.Types.StatusJson);
}
