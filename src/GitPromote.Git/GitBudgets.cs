namespace GitPromote.Git;

/// <summary>
/// How long git may take where no policy <c>timeout</c> bounds the wait: each kind of wait named once, so the same wait
/// is bounded the same wherever it is made. Evidence reads are bounded by the policy's <c>timeout</c>, not by these.
/// </summary>
public static class GitBudgets
{
    /// <summary>One read of git's configuration (<c>git config --list</c>), where the guard's settings and the remotes live.</summary>
    public static readonly TimeSpan ConfigRead = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Local git work: one command of <see cref="CliGitRepository"/> (a hung file system, a stuck lock), or the few the
    /// reference-transaction hook runs to settle a push's pending records.
    /// </summary>
    public static readonly TimeSpan LocalWork = TimeSpan.FromSeconds(60);

    /// <summary>One call to a remote (ls-remote, fetch, push) by <see cref="GitRemoteClient"/>, whatever its caller allows.</summary>
    public static readonly TimeSpan RemoteCall = TimeSpan.FromSeconds(60);

    /// <summary>Setting a repository up: <c>git init</c> of a scratch repository, an install's config edits, a server's guard marker.</summary>
    public static readonly TimeSpan Setup = TimeSpan.FromSeconds(30);

    /// <summary>A quick question to git: who acts (<c>git var</c>), its version, the hook settings.</summary>
    public static readonly TimeSpan Quick = TimeSpan.FromSeconds(10);
}
