using GitPromote.Core.Engine;

namespace GitPromote.Cli.Output;

/// <summary>
/// The <c>message</c> of <c>check --json</c> and <c>gate --json</c>: the verdict in one line of prose, for a person reading
/// a pipeline log. Scripts read <c>outcome</c> and <c>reason</c> (<see cref="VerdictWords"/>) instead.
/// </summary>
public static class VerdictMessage
{
    public static string Of(RefVerdict r, string environment, string? previous) => r.Kind switch
    {
        VerdictKind.Unguarded => $"{environment} is the first environment, it has no gate",
        VerdictKind.Promoted => $"green in {previous} ({r.Evidence?.Source})",
        VerdictKind.Rollback => $"rollback: green in {environment} before",
        VerdictKind.AllowedOnError => $"evidence unavailable and on_error: allow ({r.Failure?.What}: {r.Failure?.Why})",
        VerdictKind.Bypass => $"bypass: sets aside {string.Join(", ", r.Bypass?.Overrides ?? [])}",
        _ when r.Failed.Any() => string.Join("; ", r.Failed.Select(c => $"{c.Name}: {c.Detail}")),
        _ when r.Failure is { } f => $"{f.What}: {f.Why}",
        _ => $"refused: {VerdictWords.Reason(r.Reason) ?? VerdictWords.Refused}",
    };
}
