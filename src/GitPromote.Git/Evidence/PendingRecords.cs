using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using GitPromote.Core.Evidence;
using GitPromote.Git;
using GitPromote.Platform;

namespace GitPromote.Git.Evidence;

/// <summary>
/// A bypass the guard allowed in pre-receive, not yet a record: the push may still be refused by git or the host after
/// the hook (receive.denyNonFastForwards, a lost ref lock, an update hook) or killed. It is a blob (the record's JSON
/// and the commit id as text, so it references no quarantined object) at <c>refs/promote/pending/&lt;id&gt;</c>, owned by
/// the receive-pack process of its push. The reference-transaction hook of that same push turns it into the record
/// when git has locked the ref ("prepared", where a failure still stops the update), removes the record again when git
/// aborts, and drops the pending entry once git committed.
/// </summary>
public sealed record PendingRecord(string RefName, string ObjectId, PendingRecordBody Body)
{
    public PushOwner? Owner => PushOwner.Parse(Body.Owner);
}

public sealed class PendingRecordBody
{
    [JsonPropertyName("owner")] public string? Owner { get; set; }
    [JsonPropertyName("ref")] public string? Ref { get; set; }
    [JsonPropertyName("commit")] public string? Commit { get; set; }
    [JsonPropertyName("record")] public string? Record { get; set; }
    /// <summary>The bypass record's ref, once written (in "prepared").</summary>
    [JsonPropertyName("written")] public string? Written { get; set; }
}

[JsonSerializable(typeof(PendingRecordBody))]
internal sealed partial class PendingRecordJsonContext : JsonSerializerContext;

/// <summary>The pending entries of a server repository, read and written with git outside any quarantine.</summary>
public sealed class PendingRecords(IFileSystem files, string gitDir, GitProcess git)
{
    /// <summary>
    /// A ref only the guard writes (a pending entry or a bypass record): a push that carries one is refused in pre-receive,
    /// so a ref transaction of nothing but these is the guard's own, and its reference-transaction hook passes it.
    /// </summary>
    public static bool IsGuardsOwn(string refName) =>
        refName.StartsWith(RecordRefs.PendingPrefix, StringComparison.Ordinal) || refName.StartsWith(RecordRefs.BypassPrefix, StringComparison.Ordinal);

    private const int MaxPending = 1000;
    private const int MaxBodyBytes = 64 * 1024;

    private readonly GitProcess _git = git;

    /// <summary>
    /// False when this repository surely has no pending entry, read from the files-backend layout without running git
    /// (the reference-transaction hook runs for every ref update, and almost none has one). True when unsure (reftable).
    /// </summary>
    public static bool MightExist(IFileSystem files, string gitDir)
    {
        try
        {
            if (files.DirectoryExists(Path.Combine(gitDir, "reftable"))) return true;
            if (files.HasEntries(Path.Combine(gitDir, "refs", "promote", "pending"))) return true;
            var packed = Path.Combine(gitDir, "packed-refs");
            if (!files.FileExists(packed)) return false;
            foreach (var line in files.ReadLines(packed))
                if (line.Contains(" " + RecordRefs.PendingPrefix, StringComparison.Ordinal)) return true;
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }

    public async Task<string> AddAsync(PushOwner owner, BypassRecord record, CancellationToken cancellationToken)
    {
        var body = new PendingRecordBody { Owner = owner.ToString(), Ref = record.Ref, Commit = record.Commit, Record = RecordJson.BypassBody(record) };
        var blob = await WriteBlobAsync(body, cancellationToken);
        var stamp = record.At.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var name = $"{RecordRefs.PendingPrefix}{stamp}-{record.Commit}-{RandomNumberGenerator.GetHexString(8, lowercase: true)}";
        await UpdateRefAsync([name, blob, new string('0', blob.Length)], cancellationToken);
        return name;
    }

    public async Task<IReadOnlyList<PendingRecord>> ListAsync(CancellationToken cancellationToken)
    {
        var listing = await RunAsync(["for-each-ref", $"--count={MaxPending}", "--format=%(refname) %(objectname)", RecordRefs.PendingPrefix], null,
            cancellationToken);
        var found = new List<PendingRecord>();
        foreach (var line in listing.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var space = line.IndexOf(' ');
            if (space <= 0) continue;
            var (name, id) = (line[..space], line[(space + 1)..].Trim());
            var blob = await _git.RunAsync(gitDir, ["--git-dir=" + gitDir, "cat-file", "blob", id], null, cancellationToken);
            PendingRecordBody? body = null;
            if (blob.Succeeded && blob.Stdout.Length <= MaxBodyBytes)
            {
                try { body = JsonSerializer.Deserialize(blob.Stdout, PendingRecordJsonContext.Default.PendingRecordBody); }
                catch (JsonException) { }
            }
            found.Add(new PendingRecord(name, id, body ?? new PendingRecordBody()));
        }
        return found;
    }

    /// <summary>Records that the bypass record <paramref name="written"/> exists for this entry (only if nobody changed it meanwhile).</summary>
    public async Task MarkWrittenAsync(PendingRecord pending, string written, CancellationToken cancellationToken)
    {
        var body = new PendingRecordBody
        {
            Owner = pending.Body.Owner,
            Ref = pending.Body.Ref,
            Commit = pending.Body.Commit,
            Record = pending.Body.Record,
            Written = written
        };
        var blob = await WriteBlobAsync(body, cancellationToken);
        await UpdateRefAsync([pending.RefName, blob, pending.ObjectId], cancellationToken);
    }

    public Task RemoveAsync(PendingRecord pending, CancellationToken cancellationToken) =>
        UpdateRefAsync(["-d", pending.RefName, pending.ObjectId], cancellationToken);

    /// <summary>Deletes a bypass record the guard wrote for a push that git then aborted.</summary>
    public Task RemoveRecordAsync(string recordRef, CancellationToken cancellationToken) => UpdateRefAsync(["-d", recordRef], cancellationToken);

    /// <summary>
    /// Entries whose push is over (its receive-pack is gone) without git's last word reaching the hook: killed, or refused
    /// before git locked the ref. One that was never written never reached "prepared", so its push did not land: dropped.
    /// One that was written reached "prepared": its push may have landed, so its record stays, and only the entry goes.
    /// </summary>
    public async Task<int> ReconcileAsync(CancellationToken cancellationToken)
    {
        var removed = 0;
        foreach (var pending in await ListAsync(cancellationToken))
        {
            if (pending.Owner is { } owner && owner.IsAlive(files)) continue;
            try
            {
                await RemoveAsync(pending, cancellationToken);
                removed++;
            }
            catch (GitCommandException)
            {
                // Another push reconciled it first.
            }
        }
        return removed;
    }

    private async Task<string> WriteBlobAsync(PendingRecordBody body, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(body, PendingRecordJsonContext.Default.PendingRecordBody);
        var result = await RunAsync(["hash-object", "-w", "--stdin"], json, cancellationToken);
        return result.StdoutText.Trim();
    }

    private Task UpdateRefAsync(IReadOnlyList<string> args, CancellationToken cancellationToken) =>
        RunAsync(["update-ref", "-m", "git-promote: bypass record", .. args], null, cancellationToken);

    private async Task<GitResult> RunAsync(IReadOnlyList<string> args, byte[]? stdin, CancellationToken cancellationToken)
    {
        return (await _git.RunAsync(gitDir, ["--git-dir=" + gitDir, .. args], stdin, cancellationToken)).EnsureSuccess();
    }
}
