using GitPromote.Core.Evidence;
using GitPromote.Core.Push;
using GitPromote.Core.Settings;

namespace GitPromote.Core.Server;

/// <summary>A pushed <c>refs/promote/*</c> update the server refuses: what, and what to do instead.</summary>
public sealed record RecordRefusal(string Why, string Todo);

/// <summary>An annotated tag a pushed record ref points at: the object it tags and its message.</summary>
public sealed record RecordTag(string Target, string Message);

/// <summary>The one look-up the tamper rules need from the repository: the tag a pushed object id names.</summary>
public interface IRecordTags
{
    /// <summary>The tag <paramref name="objectId"/> names (the push's objects included); null when it is not a readable tag.</summary>
    RecordTag? Read(string objectId);
}

/// <summary>
/// Who may write which <c>refs/promote/*</c> on a guarded server. A pusher must not be able to write evidence that
/// admits their own push, so every pushed record is judged here, before anything else:
/// <list type="bullet">
/// <item>green and deploy (deployment events): only the accounts in <c>promote.recorders</c> (<see cref="RecordWriters"/>);</item>
/// <item>approval: only the approver themself, as the server names the pusher; deleted also by a recorder (prune);</item>
/// <item>revoked: anyone may revoke (it only makes the guard stricter); a revocation is deleted only by a recorder,
/// in the same push as a well-formed lifted record of that very commit;</item>
/// <item>revoked-lifted: created only that way, by a recorder; never changed or deleted;</item>
/// <item>bypass and pending: written only by the guard itself; never pushed, changed or deleted;</item>
/// <item>anything else under refs/promote/, or refs/promote/ spelled in another case: refused.</item>
/// </list>
/// </summary>
public static class PushedRecords
{
    /// <param name="pusher">The pusher exactly as the server named them (<see cref="PusherSource.Exact"/>): compared as given, cleaned only
    /// to be shown.</param>
    public static RecordRefusal? Judge(IReadOnlyList<RefUpdate> updates, string environment, Identity pusher, IReadOnlyCollection<string> recorders,
        IRecordTags tags)
    {
        var lifted = new HashSet<string>(StringComparer.Ordinal);
        var isRecorder = RecordWriters.MayWriteGreen(pusher, recorders);
        foreach (var u in updates.Where(u => u.RemoteRef.StartsWith(RecordRefs.LiftedPrefix, StringComparison.Ordinal)))
        {
            if (!u.IsCreation)
                return new($"{u.RemoteRef} records a lifted revocation: records are never changed or deleted", "leave it as it is");
            if (!isRecorder) return NotRecorder(u.RemoteRef, pusher, "lift a revocation");
            if (LiftedCommit(u, environment, tags) is not { } commit)
                return new($"{u.RemoteRef} is not a lifted revocation record of {environment}", "lift a revocation with: git promote record --force "
                    + environment + " <commit>");
            lifted.Add(commit);
        }

        foreach (var u in updates)
        {
            var name = u.RemoteRef;
            if (RecordRefs.IsMiscasedRecord(name))
                return new($"{name} differs from {RecordRefs.Namespace} only in case: on a case-insensitive file system it would become a record",
                    "push records under refs/promote/ exactly");
            if (!name.StartsWith(RecordRefs.Namespace, StringComparison.Ordinal)) continue;
            if (name.StartsWith(RecordRefs.GreenPrefix, StringComparison.Ordinal))
            {
                if (!isRecorder) return NotRecorder(name, pusher, u.IsDeletion ? "delete green records" : "write green records");
            }
            else if (name.StartsWith(RecordRefs.DeployPrefix, StringComparison.Ordinal))
            {
                // A deployment event says what ran in this environment: as much the pipeline's word as green is.
                if (!isRecorder) return NotRecorder(name, pusher, u.IsDeletion ? "delete deployment events" : "write deployment events");
            }
            else if (name.StartsWith(RecordRefs.BypassPrefix, StringComparison.Ordinal))
            {
                return u.IsCreation
                    ? new($"{name}: bypass records are written only by this server's guard",
                    $"bypass with: git push -o {PromoteSettings.GitKeys.Bypass}=\"<justification>\" ...")
                    : new($"{name} is a bypass record: records are never changed or deleted", "leave it as it is");
            }
            else if (name.StartsWith(RecordRefs.PendingPrefix, StringComparison.Ordinal) || name == RecordRefs.GuardMarker)
            {
                return new($"{name} is the guard's own bookkeeping: it is never pushed", "leave it as it is");
            }
            else if (name.StartsWith(RecordRefs.RevokedPrefix, StringComparison.Ordinal))
            {
                if (u.IsCreation) continue;
                if (RecordRefs.RevokedCommit(name) is not { } commit || !u.IsDeletion || !lifted.Contains(commit))
                    return new($"{name} is a revocation: it is lifted only by git promote record --force, which keeps it for the audit",
                        $"git promote record --force {environment} <commit>  (by an account in git config {PromoteSettings.GitKeys.Recorders})");
            }
            else if (name.StartsWith(RecordRefs.ApprovalPrefix, StringComparison.Ordinal))
            {
                // git promote prune: a recorder deletes approvals with the green records they were for.
                if (u.IsDeletion && RecordWriters.MayDelete(name, pusher, recorders)) continue;
                if (RecordRefs.ApprovalOf(name) is not { } approval)
                    return new($"{name} is not an approval record", $"approve with: git promote approve {environment} <commit>");
                if (pusher == Identity.Unknown || !string.Equals(approval.ApproverId, ApproverIds.Of(pusher), StringComparison.Ordinal))
                    return new($"{name}: an approval may be written only by the approver themself, and this server knows you as {Pusher.Display(pusher)}",
                        $"approve with your own identity (this server's: {ApproverIds.Of(pusher)}): git promote approve {environment} <commit>");
            }
            else if (!name.StartsWith(RecordRefs.LiftedPrefix, StringComparison.Ordinal))
            {
                return new($"{name} is not a record git-promote writes", "push only branches, tags and git-promote's own records");
            }
        }
        return null;
    }

    /// <summary>The commit a pushed lifted record is about, when it is well-formed: a tag whose body lifts a revocation of this environment, of the commit its
    /// name says.</summary>
    private static string? LiftedCommit(RefUpdate u, string environment, IRecordTags tags)
    {
        var tail = u.RemoteRef[RecordRefs.LiftedPrefix.Length..];
        var parts = tail.Split('-');
        if (parts.Length != 3 || !ObjectIds.IsValid(parts[1])) return null;
        var commit = parts[1].ToLowerInvariant();
        var tag = tags.Read(u.NewId);
        if (tag is null || !string.Equals(tag.Target, commit, StringComparison.OrdinalIgnoreCase)) return null;
        var lifted = RecordJson.ReadLiftedRevocation(tag.Message);
        return lifted is not null && string.Equals(lifted.Revocation.Commit, commit, StringComparison.OrdinalIgnoreCase)
            && string.Equals(lifted.Revocation.Environment, environment, StringComparison.Ordinal) ? commit : null;
    }

    private static RecordRefusal NotRecorder(string refName, Identity pusher, string what) => new(
        $"{refName}: only the accounts in git config {PromoteSettings.GitKeys.Recorders} may {what}, and this server knows you as {Pusher.Display(pusher)}",
        "records are written by the environment's pipeline (git promote record); ask the server admin to list its account there");
}
