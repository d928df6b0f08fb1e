using GitPromote.Cli.Commands;
using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Output;
using GitPromote.Cli.Workspaces;
using GitPromote.Core.Policy;
using GitPromote.Core.Settings;

namespace GitPromote.Cli;

/// <summary>Dispatches <c>git-promote &lt;command&gt;</c> and turns every failure into a short message and an exit code.</summary>
public static class App
{
    private sealed record Command(CommandDefinition Definition, Func<CommandContext, CommandLine, Task<int>> Run);

    private static readonly Command[] Commands =
    [
        new(CommandDefinitions.Hook, HookCommand.RunAsync),
        new(CommandDefinitions.Check, CheckCommand.RunAsync),
        new(CommandDefinitions.Gate, GateCommand.RunAsync),
        new(CommandDefinitions.Policy, PolicyCommand.RunAsync),
        new(CommandDefinitions.Record, RecordCommand.RunAsync),
        new(CommandDefinitions.Push, PushCommand.RunAsync),
        new(CommandDefinitions.Rollback, RollbackCommand.RunAsync),
        new(CommandDefinitions.Status, StatusCommand.RunAsync),
        new(CommandDefinitions.Approve, ApproveCommand.RunAsync),
        new(CommandDefinitions.Revoke, RevokeCommand.RunAsync),
        new(CommandDefinitions.Prune, PruneCommand.RunAsync),
        new(CommandDefinitions.Doctor, DoctorCommand.RunAsync),
        new(CommandDefinitions.Audit, AuditCommand.RunAsync),
        new(CommandDefinitions.History, HistoryCommand.RunAsync),
        new(CommandDefinitions.Install, (c, a) => Task.FromResult(InstallCommand.Install(c, a))),
        new(CommandDefinitions.Uninstall, (c, a) => Task.FromResult(InstallCommand.Uninstall(c, a))),
        new(CommandDefinitions.Init, (c, a) => Task.FromResult(InitCommand.Run(c, a))),
        new(CommandDefinitions.Demo, (c, a) => Task.FromResult(DemoCommand.Run(c, a))),
    ];

    /// <summary>Every command's definition, in the order the help and the README list them.</summary>
    internal static IReadOnlyList<CommandDefinition> Definitions => [.. Commands.Select(c => c.Definition)];

    private static string InformationalVersion => BuildVersion.Informational;

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
        // The global options may also stand before the command (git promote --verbose check stg).
        var leading = args.TakeWhile(a => a == "--verbose").Count();
        context = context with { Verbose = leading > 0, Console = Output.SafeConsole.Wrap(context.Console) };
        args = args[leading..];
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
            var command = Commands.FirstOrDefault(c => c.Definition.Name == args[0]) ?? throw UnknownCommand(args[0]);
            var given = ArgumentReader.Parse(args[1..], command.Definition);
            if (given.Has(Options.Verbose)) context = context with { Verbose = true };
            if (given.Has(Options.Help))
            {
                context.Console.Out.Write(command.Definition.Help());
                return ExitCodes.Ok;
            }
            // Parsed once, here: the command gets its arguments held to its definition (counts, required options, the form given).
            return await command.Run(context, given.Validate());
        }
        catch (Platform.FileRefusedException e)
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
            return FailureMessage.Print(context.Console, ExitCodes.UsageOrPolicy,
                "cannot read this repository's git configuration, so guarded pushes are refused",
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
                [.. e.Errors.Take(20).Select(error => error.ToString()), e.Errors.Count > 20 ? $"... and {e.Errors.Count - 20} more" : null,
                    "fix the policy (git promote check <env> validates it)"]);
        }
        catch (Exception e)
        {
            return FailureMessage.Print(context.Console, ExitCodes.Internal, $"internal error: {e.Message}",
                context.DebugEnabled ? e.ToString() : $"run with {PromoteSettings.Variables.Debug}=1 for details, and report it");
        }
    }

    private static CommandFailedException UnknownCommand(string name) =>
        CommandFailedException.Usage(
            KeySuggester.Nearest(name, [.. Commands.Select(c => c.Definition.Name)]) is { } nearest
                ? $"unknown command '{name}'; did you mean '{nearest}'?"
                : $"unknown command '{name}'",
            "see: git promote --help");

    /// <summary>
    /// The README's command list: every usage line with its summary, as the definitions say. A test compares it with the
    /// README (and rewrites the README's block when asked to).
    /// </summary>
    internal static string CommandReference()
    {
        const int column = 48;
        var sb = new System.Text.StringBuilder();
        foreach (var command in Commands)
        {
            foreach (var usage in command.Definition.Usages)
            {
                var line = "    " + usage.UsageLine;
                var summary = command.Definition.Forms.Count > 0 ? usage.Summary : command.Definition.Summary;
                if (line.Length + 2 <= column) sb.AppendLine(line.PadRight(column) + summary);
                else if (line.Length + 3 + summary.Length <= 120) sb.AppendLine(line + "   " + summary);
                else sb.AppendLine(line).AppendLine(new string(' ', column) + summary);
            }
        }
        sb.AppendLine("    git promote --version | <command> --help | <command> ... --verbose");
        return sb.ToString();
    }

    private static string Help()
    {
        var sb = new System.Text.StringBuilder();
        sb.AppendLine($"git-promote {Version}: dev -> stg -> prd with nothing but git push");
        sb.AppendLine();
        sb.AppendLine("usage: git promote <command> [options]        (--help after any command for its usage)");
        sb.AppendLine();
        foreach (var c in Commands) sb.AppendLine($"  {c.Definition.Name,-10} {c.Definition.Summary}");
        sb.AppendLine();
        sb.AppendLine("exit codes: 0 ok/allowed, 1 blocked, 2 usage or policy error, 3 internal error");
        sb.AppendLine($"environment: {PromoteSettings.Variables.Bypass}=\"<justification>\" for an emergency bypass; NO_COLOR; " +
            $"{PromoteSettings.Variables.Debug}=1; {PromoteSettings.Variables.Trace}=1 to time git and AWS calls");
        return sb.ToString();
    }
}
