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

    /// <summary>
    /// The push moves the branch back: the new commit is an ancestor of the remote's current tip. Filled by the
    /// caller when its repository can tell; it decides whether a commit green in both places is called a rollback.
    /// </summary>
    public bool RewindsTarget { get; init; }

    /// <summary>
    /// The push moves the branch forward: the remote's current tip is an ancestor of the new commit. Such a push is
    /// never a rollback, whatever the target's records say (a forged green record must not turn it into one).
    /// </summary>
    public bool FastForwards { get; init; }
}

/// <summary>Everything a hook was told about one push.</summary>
public sealed record PushRequest(string RemoteName, string RemoteUrl, IReadOnlyList<RefUpdate> Updates);
