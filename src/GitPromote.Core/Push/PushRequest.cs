namespace GitPromote.Core.Push;

/// <summary>One line of a hook's input: a ref the push wants to move.</summary>
public sealed record RefUpdate(string LocalRef, string NewId, string RemoteRef, string OldId)
{
    public bool IsDeletion => ObjectIds.IsZero(NewId);
    public bool IsCreation => ObjectIds.IsZero(OldId);

    /// <summary>
    /// The commit the new id peels to (an annotated tag pushed to a branch names a tag object). Filled by
    /// the caller from the repository; null when it is a deletion or could not be peeled.
    /// </summary>
    public string? Commit { get; init; }
}

/// <summary>Everything a hook was told about one push.</summary>
public sealed record PushRequest(string RemoteName, string RemoteUrl, IReadOnlyList<RefUpdate> Updates);
