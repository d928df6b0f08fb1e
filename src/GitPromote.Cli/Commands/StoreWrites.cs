using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Output;
using GitPromote.Cli.Workspaces;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Gate;

namespace GitPromote.Cli.Commands;

/// <summary>Checks and messages shared by approve, revoke and record.</summary>
internal static class StoreWrites
{
    /// <summary>
    /// Runs a write to an environment's store (approve, revoke, record) under the policy's timeout. When the store cannot
    /// be reached, in time or at all, says so under <paramref name="failedHeadline"/> and ends the command blocked.
    /// </summary>
    public static async Task<int> WriteToStoreAsync(CommandContext context, Workspace workspace, PromotionPolicy policy, EnvironmentPolicy env,
        string failedHeadline, Func<IEvidenceStores, CancellationToken, Task<int>> write)
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

    public static string Describe(Revocation r) =>
        (r.By is { } by ? $" by {by}" : "") + (r.At is { } at ? $" at {Core.Engine.Time.Utc(at)}" : "") + (r.Reason is { Length: > 0 } why ? $": {why}" : "");
}
