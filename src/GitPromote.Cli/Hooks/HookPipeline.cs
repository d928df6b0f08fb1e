using System.Text;
using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Output;
using GitPromote.Cli.Workspaces;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Core.Push;
using GitPromote.Gate;

namespace GitPromote.Cli.Hooks;

/// <summary>The push git hands a hook on stdin: its text, and its bytes as read (a chained hook gets them unchanged).</summary>
public sealed record HookInput(string Text, byte[] Bytes);

/// <summary>A push that needs the gate: the question for it, how long the evidence may take, and how a refused pusher may bypass.</summary>
/// <param name="BypassHint">How a refused pusher may bypass, in this side's words.</param>
public sealed record GuardedPush(GateRequest Request, TimeSpan Budget, BypassHint BypassHint);

/// <summary>What a side decided before the gate: a push to judge, or the hook's exit code when there is nothing to judge.</summary>
public sealed record HookStep(GuardedPush? Push, int Exit)
{
    public static HookStep Judge(GuardedPush push) => new(push, ExitCodes.Ok);

    public static HookStep Done(int exit) => new(null, exit);
}

/// <summary>
/// What the client hook (pre-push) and the server hook (pre-receive) do differently. The rest of a hook run is
/// <see cref="HookPipeline"/>, and the judging is the gate's (<see cref="GateService"/>): the two sides cannot drift
/// apart in the steps they share.
/// </summary>
public interface IHookSide
{
    /// <summary>The ref updates in git's hook format for this side (pre-push and pre-receive lines differ).</summary>
    HookInputResult Parse(string text);

    /// <summary>
    /// The side's own checks, policy and target, and what it asks the gate (who pushes, the bypass asked for, where the
    /// target's records are): the push to judge, or the exit when it is not gated (or refused already).
    /// </summary>
    Task<HookStep> PrepareAsync(Workspace workspace, HookInput input, IReadOnlyList<RefUpdate> updates);

    /// <summary>After an allowed push: the exit (the client runs the hooks chained after the guard).</summary>
    Task<int> AllowedAsync(HookInput input);
}

/// <summary>
/// One hook run, client or server: read the push from stdin (bounded), parse it, let the side choose policy and target
/// and say what it asks, ask the gate (<see cref="GateService"/>) within the budget, and render its answer on stderr. A
/// hook refuses in one format, <see cref="FailureMessage"/>'s: "git-promote: push refused: why", then what to do.
/// </summary>
public static class HookPipeline
{
    /// <summary>More hook input than this is not a push git would send; refuse rather than buffer it.</summary>
    public const int MaxInputBytes = 16 << 20;

    public static async Task<int> RunAsync(CommandContext context, IHookSide side)
    {
        var input = ReadBounded(context.Console.OpenStandardInput(), MaxInputBytes);
        if (input is null)
            return Refuse(context, ExitCodes.UsageOrPolicy, $"the hook input is larger than {MaxInputBytes >> 20} MiB");
        var parsed = side.Parse(input.Text);
        if (parsed.Error is not null)
            return Refuse(context, ExitCodes.UsageOrPolicy, $"cannot read the push from git (hook input {parsed.Error})");

        using var workspace = Workspace.Find(context);
        var step = await side.PrepareAsync(workspace, input, parsed.Updates);
        if (step.Push is not { } guarded) return step.Exit;

        using var deadline = new CancellationTokenSource(guarded.Budget);
        var answer = await workspace.Gate.DecideAsync(guarded.Request, deadline.Token);

        var renderer = new VerdictRenderer(new Style(context.Console.ColorOnError));
        context.Console.Error.Write(renderer.Render(answer.Verdict, answer.RecentGreen, guarded.BypassHint, answer.SuggestedPush,
            lookedIn: answer.LookedIn));
        return answer.Verdict.IsAllowed ? await side.AllowedAsync(input) : ExitCodes.Blocked;
    }

    /// <summary>The one refusal of a hook: <c>git-promote: push refused: why</c>, then what to do, on stderr.</summary>
    public static int Refuse(CommandContext context, int exitCode, string why, string? todo = null) =>
        FailureMessage.Print(context.Console, exitCode, $"push refused: {why}", todo);

    /// <summary>
    /// All of stdin, or null when it is longer than <paramref name="max"/> bytes. Read on the calling thread: an
    /// asynchronous read would hand the rest of the hook to the thread pool, whose first thread can take milliseconds to
    /// be scheduled on a busy machine, before anything else has started.
    /// </summary>
    public static HookInput? ReadBounded(Stream stdin, int max)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = stdin.Read(chunk)) > 0)
        {
            if (buffer.Length + read > max) return null;
            buffer.Write(chunk, 0, read);
        }
        var bytes = buffer.ToArray();
        return new HookInput(Encoding.UTF8.GetString(bytes), bytes);
    }
}
