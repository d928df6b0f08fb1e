using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Workspaces;
using GitPromote.Core.Policy;

namespace GitPromote.Cli.Commands;

/// <summary><c>git promote init</c>: a starter <c>.promote.yml</c> from the clone's remotes.</summary>
public static class InitCommand
{
    public const string Usage = "git promote init [--force]";

    private static readonly (string Env, string[] Names)[] KnownEnvironments =
    [
        ("dev", ["dev", "develop", "development"]),
        ("stg", ["stg", "stage", "staging", "test", "qa", "uat"]),
        ("prd", ["prd", "prod", "production", "live"]),
    ];

    public static int Run(CommandContext context, IReadOnlyList<string> args)
    {
        var a = ArgumentReader.Parse(args, ["--force"], []).ExpectAtMost(0, Usage);
        using var workspace = Workspace.Find(context);
        var top = workspace.WorkTree ?? throw CommandFailedException.Usage("init needs a clone with a work tree, not a bare repository");
        var path = Path.Combine(top, PromotionPolicy.FileName);
        if (context.FileSystem.FileExists(path) && !a.Has("--force"))
            throw CommandFailedException.Usage($"{PromotionPolicy.FileName} already exists", "edit it, or pass --force to replace it");

        var remotes = workspace.Repository.Remotes.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        var text = Starter(PolicySource.DefaultName(top), remotes, out var summary);
        PolicySource.FromText(text, PromotionPolicy.FileName, PolicySource.DefaultName(top)); // never write what we would refuse to read
        context.FileSystem.WriteAllText(path, text);
        context.Console.Out.WriteLine($"wrote {PromotionPolicy.FileName}: {summary}");
        context.Console.Out.WriteLine("  review it, commit it, and wire this clone with: git promote install");
        return ExitCodes.Ok;
    }

    public static string Starter(string name, IReadOnlySet<string> remotes, out string summary)
    {
        var found = KnownEnvironments
            .Select(k => (k.Env, Remotes: k.Names.Where(remotes.Contains).ToList()))
            .Where(k => k.Remotes.Count > 0)
            .ToList();
        if (found.Count < 2)
            found = [("dev", ["dev", "origin"]), ("stg", ["stg"]), ("prd", ["prd"])];

        var sb = new System.Text.StringBuilder();
        sb.AppendLine("# git-promote policy: a push to an environment needs the commit green in the one before.");
        sb.AppendLine("version: 1");
        sb.AppendLine($"name: {name}");
        sb.AppendLine("branches: [main]                # refs that deploy; pushes of other refs pass unchecked");
        sb.AppendLine("environments:                   # in promotion order; the first has no gate");
        foreach (var (env, envRemotes) in found)
        {
            sb.AppendLine($"  - name: {env}");
            sb.AppendLine($"    remotes: [{string.Join(", ", envRemotes)}]");
            sb.AppendLine("    evidence:");
            sb.AppendLine("      - git: {}                 # refs/promote/green/<sha> on this remote; written by: git promote record " + env);
        }
        sb.AppendLine("rollback: previously-green      # a commit once green in an environment may go back there");
        sb.AppendLine("bypass:");
        sb.AppendLine("  justification: '^[A-Z]+-[0-9]+: .{10,}'   # e.g. PROMOTE_BYPASS=\"INC-12: db failover, approved by on-call\"");
        sb.AppendLine("on_error: block");
        sb.AppendLine("timeout: 10s");
        summary = string.Join(" -> ", found.Select(f => $"{f.Env} ({string.Join(", ", f.Remotes)})"));
        return sb.ToString();
    }
}
