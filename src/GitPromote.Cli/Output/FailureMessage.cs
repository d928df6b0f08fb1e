using System.Text;
using GitPromote.Cli.Infrastructure;
using GitPromote.Core.Evidence;
using GitPromote.Platform;

namespace GitPromote.Cli.Output;

/// <summary>
/// The one way git-promote says that something failed: a headline (what could not be done), then, indented under it,
/// what failed and why, and what to do.
/// <code>
/// git-promote: could not record 1a2b3c4d5e6f as green in stg
///   ssm:PutParameter on /promote/orders/stg/green/* for stg: access denied (AccessDeniedException): ...
///   what to do: allow ssm:PutParameter on /promote/orders/stg/green/* for ...
/// </code>
/// A command's own failure goes to stderr through <see cref="Print(IConsole, int, string, EvidenceFailure)"/>; a
/// failure inside a larger report (the push verdict, the gate) is the same two lines at that report's indent
/// (<see cref="AppendCause"/>), under a headline the report styles itself. These lines are never coloured: they carry
/// untrusted text (names, remote answers), which the console's <see cref="TerminalWriter"/> makes safe.
/// </summary>
public static class FailureMessage
{
    public const string Prefix = "git-promote: ";

    /// <summary>A command's failure with its cause: the headline, then the cause's what/why and what to do.</summary>
    public static int Print(IConsole console, int exitCode, string headline, EvidenceFailure cause) =>
        Print(console, exitCode, headline, CauseLines(cause));

    /// <summary>
    /// A command's failure in its own words: the headline, then each line given (details, then what to do, written
    /// by the command as a runnable instruction); null lines are left out.
    /// </summary>
    public static int Print(IConsole console, int exitCode, string headline, params IEnumerable<string?> lines)
    {
        var sb = new StringBuilder(Prefix).AppendLine(headline);
        foreach (var line in lines)
            if (line is not null) sb.Append("  ").AppendLine(line);
        // The stream is a TerminalWriter once App has wrapped the console; wrapping here too keeps that true for any caller.
        SafeConsole.Wrap(console).Error.Write(sb.ToString());
        return exitCode;
    }

    /// <summary>The cause's two lines, each at <paramref name="indent"/>, for a failure inside a larger report.</summary>
    public static void AppendCause(StringBuilder sb, EvidenceFailure cause, string indent)
    {
        foreach (var line in CauseLines(cause)) sb.Append(indent).AppendLine(line);
    }

    /// <summary>What to do about <paramref name="cause"/>, alone: for a report whose details already say what failed and why.</summary>
    public static string TodoLine(EvidenceFailure cause) => $"what to do: {cause.Todo}";

    private static string[] CauseLines(EvidenceFailure cause) => [$"{cause.What}: {cause.Why}", TodoLine(cause)];
}
