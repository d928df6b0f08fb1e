using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Output;
using GitPromote.Cli.Workspaces;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;

namespace GitPromote.Cli.Commands;

/// <summary>Checks and messages shared by approve, revoke and record.</summary>
internal static class StoreWrites
{
    /// <summary>
    /// Runs a write to an environment's store (approve, revoke, record) under the policy's timeout. When the store cannot
    /// be reached, in time or at all, says so under <paramref name="failedHeadline"/> and ends the command blocked.
    /// </summary>
    public static async Task<int> WriteToStoreAsync(CommandContext context, Workspace workspace, PromotionPolicy policy, EnvironmentPolicy env,
        string failedHeadline, Func<CompositeEvidenceProvider, CancellationToken, Task<int>> write)
    {
        using var deadline = new CancellationTokenSource(policy.Timeout);
        try
        {
            return await write(workspace.EvidenceProvider(policy), deadline.Token);
        }
        catch (Exception e) when (Deadline.Failure(e, deadline.Token, $"the store of {env.Name}", policy.Timeout) is { } failure)
        {
            return FailureMessage.Print(context.Console, ExitCodes.Blocked, failedHeadline, failure);
        }
    }

    /// <summary>
    /// How approve and revoke start: at most <c>&lt;env&gt; [&lt;rev&gt;]</c>, the text the record keeps (<paramref name="textOption"/>,
    /// checked by <see cref="ValidatedText"/>; when it is not given, null, or the usage error <paramref name="whenMissing"/> when it
    /// is required), then the commit. The caller disposes the target's workspace.
    /// </summary>
    public static (CommitTarget Target, string? Text) ReadReviewArguments(CommandContext context, IReadOnlyList<string> args,
        CommandDefinition definition, string textOption, int maxLength, string? whenMissing = null)
    {
        var usage = definition.Usage;
        var a = ArgumentReader.Parse(args, definition).ExpectAtMost(2, usage);
        var text = a.Value(textOption) is { } given
            ? ValidatedText(given, textOption, maxLength)
            : whenMissing is null ? null : throw CommandFailedException.Usage(whenMissing, $"usage: {usage}");
        return (CommitTarget.Resolve(context, a, usage), text);
    }

    /// <summary>Text that goes into a record, trimmed, once it is one line, not empty and bounded; else a usage error naming <paramref
    /// name="option"/>.</summary>
    public static string ValidatedText(string text, string option, int max)
    {
        var trimmed = text.Trim();
        if (trimmed.Length == 0) throw CommandFailedException.Usage($"{option} must not be empty");
        if (trimmed.Length > max) throw CommandFailedException.Usage($"{option} must be at most {max} characters");
        if (trimmed.Any(char.IsControl)) throw CommandFailedException.Usage($"{option} must be one line of text, without control characters");
        return trimmed;
    }

    public static string Describe(Revocation r) =>
        (r.By is { } by ? $" by {by}" : "") + (r.At is { } at ? $" at {Core.Engine.Time.Utc(at)}" : "") + (r.Reason is { Length: > 0 } why ? $": {why}" : "");
}
