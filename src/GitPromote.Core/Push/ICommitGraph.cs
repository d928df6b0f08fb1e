namespace GitPromote.Core.Push;

/// <summary>
/// The repository's commits, as much as judging a push needs of them: what the pushed ids peel to, and which commit
/// descends from which. GitPromote.Git's repositories provide it (LibGit2Sharp, or the git CLI inside a quarantine).
/// </summary>
public interface ICommitGraph
{
    /// <summary>Resolves many revisions at once (one process for the CLI backend) and peels each to a commit; missing ones map to null.</summary>
    IReadOnlyDictionary<string, string?> ResolveCommits(IReadOnlyCollection<string> revisions);

    /// <summary>
    /// True when <paramref name="ancestor"/> is reachable from <paramref name="descendant"/> (or is it); null when this
    /// repository cannot tell (an object is missing here, or history is cut by a shallow clone).
    /// </summary>
    bool? IsAncestor(string ancestor, string descendant);
}
