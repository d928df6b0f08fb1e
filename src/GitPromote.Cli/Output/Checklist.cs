using System.Text;
using GitPromote.Core.Engine;
using GitPromote.Core.Push;

namespace GitPromote.Cli.Output;

/// <summary>
/// <c>git promote check --explain</c>: every rule of a push as one line, pass or fail, and the verdict under it.
/// <code>
///   pass  order       green in stg (git ref on stg)
///   FAIL  soak        green in stg for 35m of 2h; may go at 2024-06-03 12:00Z (in 1h25m)
///   skip  freeze      prd has no freeze windows
/// </code>
/// </summary>
public sealed class Checklist(Style style)
{
    /// <param name="bypassed">The pipeline gate admitted it under a bypass: the rules' refusal is said as what the bypass set aside.</param>
    public string Render(BatchVerdict verdict, RefVerdict r, string previous, bool bypassed = false)
    {
        var sb = new StringBuilder();
        var commit = r.Update.Commit ?? r.Update.NewId;
        sb.AppendLine(style.Bold($"{ObjectIds.Short(commit)} -> {verdict.Target?.Name} (from {previous})"));
        foreach (var check in r.Checks)
        {
            sb.AppendLine($"  {Mark(check.Outcome)}  {check.Name,-10}  {check.Detail}");
            if (check.Outcome == CheckOutcome.Fail && check.Hint is { } hint) sb.AppendLine($"{"",16}{hint}");
        }
        sb.AppendLine(r.Kind switch
        {
            VerdictKind.Promoted => style.Green($"may go to {verdict.Target?.Name}"),
            VerdictKind.Rollback => style.Yellow($"may go to {verdict.Target?.Name} as a rollback"),
            VerdictKind.AllowedOnError => style.Yellow($"may go to {verdict.Target?.Name} without evidence (on_error: allow)"),
            _ when bypassed => style.Yellow(
                $"the rules alone would refuse it ({string.Join(", ", r.Failed.Select(c => c.Name))}); the bypass admits this one deployment"),
            _ => style.Red($"may not go to {verdict.Target?.Name}: {string.Join(", ", r.Failed.Select(c => c.Name))}"),
        });
        return sb.ToString();
    }

    private string Mark(CheckOutcome outcome) => outcome switch
    {
        CheckOutcome.Pass => style.Green("pass"),
        CheckOutcome.Fail => style.Red("FAIL"),
        CheckOutcome.Unknown => style.Red("????"),
        _ => style.Dim("skip"),
    };
}
