namespace GitPromote.Cli.Infrastructure;

/// <summary>
/// A failure that ends a command with a short message and a known exit code; never a stack trace. What to do is either
/// the command's own line (<see cref="Todo"/>) or, when a store or service failed, that failure's what/why/what to do.
/// </summary>
public sealed class CommandFailedException(int exitCode, string message, string? todo = null) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
    public string? Todo { get; } = todo;
    public Core.Evidence.EvidenceFailure? Cause { get; private init; }

    public static CommandFailedException Because(int exitCode, string message, Core.Evidence.EvidenceFailure cause) =>
        new(exitCode, message) { Cause = cause };

    public static CommandFailedException Usage(string message, string? todo = null) => new(ExitCodes.UsageOrPolicy, message, todo);
}
