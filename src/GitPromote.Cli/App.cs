using System.Reflection;
using GitPromote.Cli.Commands;
using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Workspaces;
using GitPromote.Cli.Output;

namespace GitPromote.Cli;

/// <summary>Dispatches <c>git-promote &lt;command&gt;</c> and turns every failure into a short message and an exit code.</summary>
public static class App
{
    private sealed record Command(string Name, string Usage, string Summary, Func<CommandContext, IReadOnlyList<string>, Task<int>> Run);

    private static readonly Command[] Commands =
    [
        new("hook", HookCommand.Usage, "run as a git hook (the installed shims call this)", HookCommand.RunAsync),
        new("check", CheckCommand.Usage, "may this commit go to that environment? exit 0 yes, 1 no", CheckCommand.RunAsync),
        new("gate", GateCommand.Usage, "in a pipeline, before deploying: was this commit admitted to the environment? exit 0 yes, 1 no", GateCommand.RunAsync),
        new("policy", PolicyCommand.Usage, "policy publish <env>: pin the reviewed policy in SSM, where pipeline gates read it", PolicyCommand.RunAsync),
        new("record", RecordCommand.Usage, "mark a commit green in an environment (its pipeline's last step)", RecordCommand.RunAsync),
        new("status", StatusCommand.Usage, "per environment: deployed and green commits, what can go next", StatusCommand.RunAsync),
        new("approve", ApproveCommand.Usage, "approve a commit for an environment that requires approvals", ApproveCommand.RunAsync),
        new("revoke", RevokeCommand.Usage, "mark a commit bad in an environment: not green, not promoted, not rolled back to", RevokeCommand.RunAsync),
        new("prune", PruneCommand.Usage, "delete old green records and approvals, keeping what rollbacks and audits need", PruneCommand.RunAsync),
        new("doctor", DoctorCommand.Usage, "check the policy, hooks, remotes and AWS access; says what to fix", DoctorCommand.RunAsync),
        new("audit", AuditCommand.Usage, "list recorded bypasses and revocations", AuditCommand.RunAsync),
        new("history", HistoryCommand.Usage, "every deployment per environment on one timeline, and the four DORA figures (--json, --html FILE)", HistoryCommand.RunAsync),
        new("install", InstallCommand.InstallUsage, "wire this clone (or --global/--system) to the guard", (c, a) => Task.FromResult(InstallCommand.Install(c, a))),
        new("uninstall", InstallCommand.UninstallUsage, "unwire it, restoring what was there", (c, a) => Task.FromResult(InstallCommand.Uninstall(c, a))),
        new("init", InitCommand.Usage, "write a starter .promote.yml from this clone's remotes", (c, a) => Task.FromResult(InitCommand.Run(c, a))),
        new("demo", DemoCommand.Usage, "build a playground and walk the whole flow with real pushes", (c, a) => Task.FromResult(DemoCommand.Run(c, a))),
    ];

    private static string InformationalVersion =>
        typeof(App).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    public static string Version => InformationalVersion.Split('+')[0];

    /// <summary>
    /// The commit this binary was built from: the SDK appends it to the informational version ('0.1.0+&lt;sha&gt;') when
    /// the build runs in a git checkout; null for a build from a plain folder (an unpacked source archive).
    /// </summary>
    public static string? Commit =>
        InformationalVersion.Split('+') is [_, var sha, ..] && sha.Length >= 7 && sha.All(char.IsAsciiHexDigit) ? sha : null;

    /// <summary>What <c>--version</c> prints: the version and the commit, so a report names exactly what ran.</summary>
    public static string VersionLine => $"git-promote {Version} (commit {(Commit is { } c ? c[..Math.Min(12, c.Length)] : "unknown")})";

    public static async Task<int> RunAsync(string[] args, CommandContext context)
    {
        var verbose = args.Contains("--verbose");
        args = args.Where(a => a != "--verbose").ToArray();
        context = context with { Verbose = verbose, Console = Output.SafeConsole.Wrap(context.Console) };
        using var trace = context.BeginTrace();
        try
        {
            if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
            {
                context.Console.Out.Write(Help());
                return args.Length == 0 ? ExitCodes.UsageOrPolicy : ExitCodes.Ok;
            }
            if (args[0] is "--version" or "version")
            {
                context.Console.Out.WriteLine(VersionLine);
                return ExitCodes.Ok;
            }
            var command = Commands.FirstOrDefault(c => c.Name == args[0])
                ?? throw CommandFailedException.Usage($"unknown command '{args[0]}'", "see: git promote --help");
            var rest = args.Skip(1).ToList();
            if (rest.Contains("--help") || rest.Contains("-h"))
            {
                context.Console.Out.WriteLine($"usage: {command.Usage}");
                context.Console.Out.WriteLine($"  {command.Summary}");
                return ExitCodes.Ok;
            }
            return await command.Run(context, rest);
        }
        catch (Git.FileRefusedException e)
        {
            // Only the policy is read this way; a policy that is not a page of YAML in a regular file is a policy error.
            return FailureMessage.Print(context.Console, ExitCodes.UsageOrPolicy, $"the policy {e.Message}, so guarded pushes are refused",
                e.TooLarge
                    ? "a policy is a page of YAML: replace it with the real .promote.yml (git promote init writes a starter)"
                    : "commit .promote.yml as a plain file (not a link, FIFO or device)");
        }
        catch (Git.GitConfigUnreadableException e)
        {
            // The remotes and the guard's settings live in git's config: without it, no push can be told apart from a guarded one.
            return FailureMessage.Print(context.Console, ExitCodes.UsageOrPolicy, "cannot read this repository's git configuration, so guarded pushes are refused",
                e.Message, "what to do: run git config --list here to see git's error, and fix the config file it names");
        }
        catch (CommandFailedException e)
        {
            return e.Cause is { } cause
                ? FailureMessage.Print(context.Console, e.ExitCode, e.Message, cause)
                : FailureMessage.Print(context.Console, e.ExitCode, e.Message, e.Todo);
        }
        catch (PolicyInvalidException e)
        {
            return FailureMessage.Print(context.Console, ExitCodes.UsageOrPolicy, $"{e.PolicyPath} is not valid, so guarded pushes are refused:",
                [.. e.Errors.Take(20).Select(error => error.ToString()), e.Errors.Count > 20 ? $"... and {e.Errors.Count - 20} more" : null, "fix the policy (git promote check <env> validates it)"]);
        }
        catch (Exception e)
        {
            return FailureMessage.Print(context.Console, ExitCodes.Internal, $"internal error: {e.Message}",
                context.DebugEnabled ? e.ToString() : "run with PROMOTE_DEBUG=1 for details, and report it");
        }
    }

    private static string Help()
    {
        var sb = new System.Text.StringBuilder();
        sb.AppendLine($"git-promote {Version}: dev -> stg -> prd with nothing but git push");
        sb.AppendLine();
        sb.AppendLine("usage: git promote <command> [options]        (--help after any command for its usage)");
        sb.AppendLine();
        foreach (var c in Commands) sb.AppendLine($"  {c.Name,-10} {c.Summary}");
        sb.AppendLine();
        sb.AppendLine("exit codes: 0 ok/allowed, 1 blocked, 2 usage or policy error, 3 internal error");
        sb.AppendLine("environment: PROMOTE_BYPASS=\"<justification>\" for an emergency bypass; NO_COLOR; PROMOTE_DEBUG=1; PROMOTE_TRACE=1 to time git and AWS calls");
        return sb.ToString();
    }
}
