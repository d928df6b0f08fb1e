using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Output;
using GitPromote.Cli.Services;
using GitPromote.Core.Evidence;
using GitPromote.Core.Push;

namespace GitPromote.Cli.Commands;

/// <summary><c>git promote audit [&lt;env&gt;]</c>: every recorded bypass, oldest first, from each environment's own store.</summary>
public static class AuditCommand
{
    public const string Usage = "git promote audit [<env>] [--json]";

    public static async Task<int> RunAsync(CommandContext context, IReadOnlyList<string> args)
    {
        var a = ArgumentReader.Parse(args, ["--json"], []).ExpectAtMost(1, Usage);
        using var workspace = Workspace.Find(context);
        var policy = workspace.RequirePolicy().Policy;
        var envs = a.Positional(0) is { } name ? [CheckCommand.RequireEnvironment(policy, name)] : policy.Environments.Skip(1).ToList();
        var provider = workspace.EvidenceProvider(policy);

        using var deadline = new CancellationTokenSource(policy.Timeout);
        var records = new List<BypassRecord>();
        var failures = new List<(string Env, EvidenceFailure Failure)>();
        foreach (var env in envs)
        {
            try
            {
                records.AddRange(await provider.OpenStore(env).ListBypassesAsync(deadline.Token));
            }
            catch (EvidenceUnavailableException e)
            {
                failures.Add((env.Name, e.Failure));
            }
        }
        records.Sort((x, y) => x.At.CompareTo(y.At));

        if (a.Has("--json"))
        {
            context.Console.Out.WriteLine(Json.Array(records.Select(r => Json.Object(
                ("environment", Json.String(r.Environment)),
                ("commit", Json.String(r.Commit)),
                ("ref", Json.String(r.Ref)),
                ("at", Json.Time(r.At)),
                ("byName", Json.String(r.By.Name)),
                ("byEmail", Json.String(r.By.Email)),
                ("justification", Json.String(r.Justification))))));
        }
        else if (records.Count == 0)
        {
            context.Console.Out.WriteLine($"no bypasses recorded in {string.Join(", ", envs.Select(e => e.Name))}");
        }
        else
        {
            foreach (var r in records)
                context.Console.Out.WriteLine($"{r.At.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z  {r.Environment,-6} {ObjectIds.Short(r.Commit)}  {r.By}  \"{r.Justification}\"");
        }

        foreach (var (env, failure) in failures)
            context.Console.Error.WriteLine($"git-promote: could not read the bypass records of {env}: {failure.What}: {failure.Why} ({failure.Todo})");
        return failures.Count == 0 ? ExitCodes.Ok : ExitCodes.Blocked;
    }
}
