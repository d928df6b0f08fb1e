using GitPromote.Cli.Hooks;
using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Output;
using GitPromote.Core.Evidence;
using GitPromote.Core.Push;
using GitPromote.Core.Settings;
using GitPromote.Git;
using GitPromote.Git.Evidence;

namespace GitPromote.Cli.Commands;

/// <summary>
/// <c>git promote hook reference-transaction &lt;state&gt;</c>: git runs it around every ref update of a server repository
/// (installed by <c>install --server</c>). For the ref updates of a push whose pre-receive allowed a bypass, it writes
/// the bypass record when git has locked the refs ("prepared": the objects are out of quarantine, and a failure here
/// still stops the update), deletes that record if git then aborts, and drops the pending entry once git committed.
/// Every other ref update (not from receive-pack, or with no pending bypass) passes untouched.
/// </summary>
public static class ReferenceTransactionCommand
{
    public static async Task<int> RunAsync(CommandContext context, string state)
    {
        var input = HookPipeline.ReadBounded(context.Console.OpenStandardInput(), HookPipeline.MaxInputBytes);
        if (state is not ("prepared" or "committed" or "aborted")) return ExitCodes.Ok;
        var refs = (input?.Text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' '))
            .Where(parts => parts.Length == 3)
            .Select(parts => parts[2].Trim())
            .ToHashSet(StringComparer.Ordinal);
        // The guard's own updates (its pending entries and bypass records) need nothing from it. They are told apart by
        // their names, which no push can carry (pre-receive refuses them from everyone), never by a variable: receive-pack
        // and its hooks inherit the pusher's environment over file:// or sshd's AcceptEnv.
        if (refs.All(PendingRecords.IsGuardsOwn)) return ExitCodes.Ok;
        var gitDir = GitDir(context);
        if (!PendingRecords.MightExist(context.FileSystem, gitDir) || context.Git.OwnerOfThisPush() is not { } owner) return ExitCodes.Ok;

        var git = context.Git.Process;
        var pending = new PendingRecords(context.FileSystem, gitDir, git);
        using var deadline = new CancellationTokenSource(GitBudgets.LocalWork);
        try
        {
            var mine = (await pending.ListAsync(deadline.Token))
                .Where(p => p.Owner == owner && p.Body.Ref is { } r && refs.Contains(r)).ToList();
            if (mine.Count == 0) return ExitCodes.Ok;
            switch (state)
            {
                case "prepared":
                    var environment = GitConfig.Read(context.FileSystem, gitDir, git, GitBudgets.ConfigRead)
                        .Last(PromoteSettings.GitKeys.Environment)?.Value?.Trim() is { Length: > 0 } env ? env : "this environment";
                    var store = new LocalRecordStore(context.FileSystem, new GitLocation(gitDir, gitDir, null), environment, git);
                    foreach (var p in mine.Where(p => p.Body.Written is null))
                    {
                        var record = RecordJson.ReadBypass(p.Body.Record)
                            ?? throw new GitCommandException($"the pending bypass {p.RefName} cannot be read", 1, "");
                        var written = await store.WriteBypassAsync(record, deadline.Token);
                        await pending.MarkWrittenAsync(p, written, deadline.Token);
                    }
                    return ExitCodes.Ok;
                case "aborted":
                    foreach (var p in mine)
                    {
                        if (p.Body.Written is { } written) await pending.RemoveRecordAsync(written, deadline.Token);
                        await pending.RemoveAsync(p, deadline.Token);
                    }
                    return ExitCodes.Ok;
                default:
                    await WriteLandedBypassEventsAsync(context, gitDir, git, mine, deadline.Token);
                    foreach (var p in mine) await pending.RemoveAsync(p, deadline.Token);
                    return ExitCodes.Ok;
            }
        }
        catch (Exception e) when (e is GitCommandException or EvidenceUnavailableException || Deadline.Passed(e, deadline.Token))
        {
            var why = e is EvidenceUnavailableException u ? $"{u.Failure.What}: {u.Failure.Why}" : e is OperationCanceledException
                ? $"git: {EvidenceFailure.NoAnswerInTime()}" : e.Message;
            if (state != "prepared")
            {
                // The refs are already updated (or not): a leftover entry is settled by the next push (PendingRecords.ReconcileAsync).
                context.Console.Error.WriteLine($"git-promote: the bypass record of this push could not be settled ({why}); the next push settles it");
                return ExitCodes.Ok;
            }
            return FailureMessage.Print(context.Console, ExitCodes.Blocked, $"push refused: the bypass could not be recorded ({why})",
                "nothing was updated; retry, and if it keeps failing ask the server admin to check the repository");
        }
    }

    /// <summary>
    /// The push landed ("committed"): each bypass of it is also a deployment, for git promote history. A failure here
    /// loses only that event, so it is said and the push goes on.
    /// </summary>
    private static async Task WriteLandedBypassEventsAsync(CommandContext context, string gitDir, GitProcess git, IReadOnlyList<PendingRecord> landed,
        CancellationToken cancellationToken)
    {
        var bypasses = landed.Where(p => p.Body.Written is not null)
            .Select(p => (Record: RecordJson.ReadBypass(p.Body.Record), Written: p.Body.Written!))
            .Where(p => p.Record is not null).ToList();
        if (bypasses.Count == 0) return;
        var environment = GitConfig.Read(context.FileSystem, gitDir, git, GitBudgets.ConfigRead)
            .Last(PromoteSettings.GitKeys.Environment)?.Value?.Trim() is { Length: > 0 } env ? env : "this environment";
        var store = new LocalRecordStore(context.FileSystem, new GitLocation(gitDir, gitDir, null), environment, git);
        foreach (var (bypass, written) in bypasses)
        {
            try
            {
                await store.WriteLandedBypassAsync(bypass!, written, cancellationToken);
            }
            catch (EvidenceUnavailableException e)
            {
                context.Console.Error.WriteLine(
                    $"git-promote: the deployment event of this bypass could not be written ({e.Failure.Why}); git promote history will miss it");
            }
        }
    }

    private static string GitDir(CommandContext context)
    {
        var cwd = context.Environment.CurrentDirectory;
        return context.Environment.Get("GIT_DIR") is { Length: > 0 } dir ? Path.GetFullPath(dir, cwd) : cwd;
    }
}
