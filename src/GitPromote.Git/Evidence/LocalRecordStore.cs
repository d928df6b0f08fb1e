using System.Globalization;
using System.Security.Cryptography;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Core.Push;
using GitPromote.Git;
using GitPromote.Platform;

namespace GitPromote.Git.Evidence;

/// <summary>
/// Bypass records of the environment this server repository is, written into the repository itself in the same
/// shape the client writes them remotely (an annotated tag at a new <c>refs/promote/bypass/&lt;time&gt;-&lt;commit&gt;-&lt;random&gt;</c>),
/// so <c>git promote audit</c> from any clone reads them. Written by the reference-transaction hook once git has moved
/// the push's objects out of quarantine and locked its refs (<see cref="PendingRecords"/>), never from pre-receive.
/// </summary>
public sealed class LocalRecordStore(IFileSystem files, GitLocation location, string environment, GitProcess outsideQuarantine)
{
    public string Label => $"git refs of {environment} (this repository)";

    /// <summary>Writes the record and returns its ref.</summary>
    public Task<string> WriteBypassAsync(BypassRecord record, CancellationToken cancellationToken) =>
        WriteRecordAsync(record.Commit, "bypass", record.By, record.At, RecordJson.BypassBody(record), RefName(record), cancellationToken);

    /// <summary>
    /// Writes the event of a bypassed push that landed: kind bypass, at the bypass record's own time, naming the record
    /// (<paramref name="recordRef"/>, as <see cref="WriteBypassAsync"/> returned it) and marked <see cref="DeploymentEvent.Landed"/>: it ties
    /// the bypass to this push without using it up, so the pipeline's <c>record</c> that follows is the deployment that uses it.
    /// </summary>
    public Task<string> WriteLandedBypassAsync(BypassRecord record, string recordRef, CancellationToken cancellationToken)
    {
        var id = recordRef.StartsWith(RecordRefs.BypassPrefix, StringComparison.Ordinal) ? recordRef[RecordRefs.BypassPrefix.Length..] : null;
        var deployment = new DeploymentEvent(environment, record.Commit.ToLowerInvariant(), record.At, record.By, DeploymentKind.Bypass)
        {
            Bypass = id,
            Landed = true,
        };
        var name = RecordRefs.DeployPrefix + DeploymentNames.Name(deployment.At, deployment.Commit, RandomNumberGenerator.GetHexString(4, lowercase: true));
        return WriteRecordAsync(deployment.Commit, "deploy", deployment.By, deployment.At, RecordJson.DeploymentBody(deployment), name, cancellationToken);
    }

    /// <summary>An annotated tag on <paramref name="commit"/> with <paramref name="body"/>, created at <paramref name="refName"/>; returns the ref.</summary>
    private async Task<string> WriteRecordAsync(string commit, string kind, Identity by, DateTimeOffset at, string body, string refName,
        CancellationToken cancellationToken)
    {
        if (!ObjectIds.IsValid(commit)) throw new ArgumentException($"not a full commit id: '{commit}'", nameof(commit));
        var what = $"cannot record the {(kind == "deploy" ? "deployment" : kind)} of {ObjectIds.Short(commit)} in this repository";
        string tag;
        try
        {
            using var repository = new CliGitRepository(files, location, outsideQuarantine);
            tag = repository.WriteTagObject(commit, $"promote-{kind}-" + ObjectIds.Short(commit), by, at, body);
        }
        catch (GitCommandException e)
        {
            throw Unavailable(what, e.Message);
        }
        await CreateRefAsync(refName, tag, what, cancellationToken);
        return refName;
    }

    private async Task CreateRefAsync(string refName, string target, string what, CancellationToken cancellationToken)
    {
        // The zero old value makes this a create: an existing record is never overwritten.
        var zero = new string('0', target.Length);
        GitResult result;
        try
        {
            result = await outsideQuarantine.RunAsync(location.GitDir,
                ["--git-dir=" + location.GitDir, "update-ref", "-m", "git-promote: bypass record", refName, target, zero], null, cancellationToken);
        }
        catch (GitCommandException e)
        {
            throw Unavailable(what, e.Message);
        }
        if (!result.Succeeded) throw Unavailable(what, result.Stderr.Trim());
    }

    internal static string RefName(BypassRecord record)
    {
        var stamp = record.At.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        return $"{RecordRefs.BypassPrefix}{stamp}-{record.Commit}-{RandomNumberGenerator.GetHexString(4, lowercase: true)}";
    }

    private static EvidenceUnavailableException Unavailable(string what, string why) =>
        new(new EvidenceFailure(what, why.Length > 0 ? why : "git failed", "ask the server admin to check the repository (disk, permissions)"));
}
