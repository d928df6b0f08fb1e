using System.Text.RegularExpressions;
using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Workspaces;
using GitPromote.Core.Engine;
using GitPromote.Core.Policy;
using GitPromote.Core.Settings;

namespace GitPromote.Cli.Commands;

/// <summary><c>git promote init</c>: a starter <c>.promote.yml</c> from the clone's remotes.</summary>
public static partial class InitCommand
{
    private static readonly (string Env, string[] Names)[] KnownEnvironments =
    [
        ("dev", ["dev", "develop", "development"]),
        ("stg", ["stg", "stage", "staging", "test", "qa", "uat"]),
        ("prd", ["prd", "prod", "production", "live"]),
    ];

    public static int Run(CommandContext context, CommandLine args)
    {
        using var workspace = Workspace.Find(context);
        var top = workspace.WorkTree ?? throw CommandFailedException.Usage("init needs a clone with a work tree, not a bare repository");
        var path = Path.Combine(top, PromotionPolicy.FileName);
        if (context.FileSystem.FileExists(path) && !args.Get(Options.Force))
            throw CommandFailedException.Usage($"{PromotionPolicy.FileName} already exists", "edit it, or pass --force to replace it");

        var remotes = workspace.Repository.Remotes
            .GroupBy(r => r.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Url, StringComparer.Ordinal);
        var name = ServiceFromRepositories(remotes) ?? PolicySource.DefaultName(top);
        var text = Starter(name, remotes, out var summary, out var guesses);
        PolicySource.FromText(text, PromotionPolicy.FileName, name); // never write what we would refuse to read
        UserFiles.Write(context.FileSystem, path, text, "check that you may write to this clone's work tree");
        context.Console.Out.WriteLine($"wrote {PromotionPolicy.FileName}: {summary}");
        foreach (var guess in guesses) context.Console.Out.WriteLine("  " + guess);
        context.Console.Out.WriteLine("  review it, commit it, and wire this clone with: git promote install");
        return ExitCodes.Ok;
    }

    /// <param name="remotes">The clone's remotes: name to URL.</param>
    /// <param name="guesses">What was read from the remotes' URLs (a CodeCommit region), said so the user can check it.</param>
    public static string Starter(string name, IReadOnlyDictionary<string, string> remotes, out string summary, out IReadOnlyList<string> guesses)
    {
        var said = new List<string>();
        guesses = said;
        var found = KnownEnvironments
            .Select(k => (k.Env, Remotes: k.Names.Where(remotes.ContainsKey).ToList()))
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
            var codeCommit = envRemotes.Select(r => remotes.TryGetValue(r, out var url) ? (Remote: r, Region: CodeCommitRegion(url), Url: url) : (r, null, ""))
                .FirstOrDefault(c => c.Region is not null);
            if (codeCommit.Region is { } region)
            {
                // A CodeCommit remote runs no hooks: the evidence is what the environment's pipeline (the CDK construct's) leaves.
                var pipeline = $"{name}-{env}";
                if (RemoteUrls.CodeCommit(codeCommit.Url)?.Profile is { } profile && SafeScalar().IsMatch(profile))
                {
                    sb.AppendLine($"    aws: {{ region: {region}, profile: {profile} }}   # from remote '{codeCommit.Remote}'; a pipeline without this " +
                        "profile uses its own role");
                    said.Add($"{env}: remote '{codeCommit.Remote}' names the AWS profile {profile}: the guard reads {env}'s evidence with it");
                }
                else
                {
                    sb.AppendLine(
                        $"    aws: {{ region: {region} }}    # from the CodeCommit URL of remote '{codeCommit.Remote}'; add profile: for this account");
                }
                sb.AppendLine("    evidence:");
                sb.AppendLine($"      - ssm: {{}}                 # /promote/{name}/{env}/green/<sha>, written by the pipeline's Record action");
                sb.AppendLine($"      - codepipeline: {{ pipeline: {pipeline} }}   # the pipeline the git-promote CDK construct names {pipeline}");
                sb.AppendLine("    require: any");
                said.Add($"{env}: remote '{codeCommit.Remote}' is CodeCommit in {region}: guessed aws region {region}, ssm evidence and the pipeline " +
                    $"{pipeline}; check them against the account");
            }
            else
            {
                sb.AppendLine("    evidence:");
                sb.AppendLine("      - git: {}                 # refs/promote/green/<sha> on this remote; written by: git promote record " + env);
            }
        }
        sb.AppendLine("rollback: previously-green      # a commit once green in an environment may go back there");
        sb.AppendLine("bypass:");
        sb.AppendLine($"  justification: '^[A-Z]+-[0-9]+: .{{10,}}'   # e.g. {PromoteSettings.Variables.Bypass}=\"INC-12: db failover, approved by on-call\"");
        sb.AppendLine("on_error: block");
        sb.AppendLine("timeout: 10s");
        summary = string.Join(" -> ", found.Select(f => $"{f.Env} ({string.Join(", ", f.Remotes)})"));
        return sb.ToString();
    }

    /// <summary>
    /// The service the remotes' repositories are named after: the repository name every remote shares once an environment
    /// suffix is taken off (<c>orders-service-dev</c>, <c>orders-service-stg</c>: <c>orders-service</c>), or null when they
    /// do not agree (then the folder's name is used).
    /// </summary>
    public static string? ServiceFromRepositories(IReadOnlyDictionary<string, string> remotes)
    {
        var suffixes = KnownEnvironments.SelectMany(k => k.Names.Append(k.Env)).Distinct().ToList();
        var services = KnownEnvironments.SelectMany(k => k.Names).Where(remotes.ContainsKey)
            .Select(r => RepositoryName(remotes[r]))
            .OfType<string>()
            .Select(repo => suffixes.Select(x => "-" + x).FirstOrDefault(x => repo.EndsWith(x, StringComparison.OrdinalIgnoreCase)) is { } suffix
                ? repo[..^suffix.Length] : repo)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return services.Count == 1 && SafeScalar().IsMatch(services[0]) ? services[0] : null;
    }

    /// <summary>The last path segment of a remote URL without <c>.git</c> (CodeCommit's helper form: the repository).</summary>
    private static string? RepositoryName(string url)
    {
        if (RemoteUrls.CodeCommit(url) is { } parts) return parts.Repository;
        var trimmed = url.Trim().TrimEnd('/', '\\');
        if (trimmed.EndsWith(".git", StringComparison.Ordinal)) trimmed = trimmed[..^4];
        var cut = trimmed.LastIndexOfAny(['/', '\\', ':']);
        var name = cut < 0 ? trimmed : trimmed[(cut + 1)..];
        return name.Length == 0 ? null : name;
    }

    /// <summary>A name safe to write unquoted into YAML and an SSM path.</summary>
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex SafeScalar();

    /// <summary>
    /// The region of a CodeCommit remote URL, or null: <c>codecommit::REGION://[profile@]repo</c> (git-remote-codecommit),
    /// <c>https://git-codecommit.REGION.amazonaws.com/v1/repos/repo</c> and its <c>ssh://[KEY@]</c> form (FIPS and China hosts too).
    /// </summary>
    public static string? CodeCommitRegion(string url)
    {
        var m = CodeCommitHelperUrl().Match(url);
        if (!m.Success) m = CodeCommitHostUrl().Match(url);
        return m.Success ? m.Groups["region"].Value : null;
    }

    [GeneratedRegex(@"^codecommit::(?<region>[a-z]{2}(?:-[a-z]+)+-[0-9]+)://[^/\s]+$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex CodeCommitHelperUrl();

    [GeneratedRegex(@"^(?:https|ssh)://(?:[^@/\s]+@)?git-codecommit(?:-fips)?\.(?<region>[a-z]{2}(?:-[a-z]+)+-[0-9]+)\.amazonaws\.com(?:\.cn)?"
        + @"(?::[0-9]+)?/v1/repos/[^/\s]+$",
        RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex CodeCommitHostUrl();
}
