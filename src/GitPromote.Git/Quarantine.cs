using GitPromote.Core;

namespace GitPromote.Git;

/// <summary>
/// During pre-receive git keeps the pushed objects in a quarantine directory (<c>GIT_QUARANTINE_PATH</c>, also
/// <c>GIT_OBJECT_DIRECTORY</c>) and forbids ref updates while it is set. Reads see the push through the inherited
/// environment; a write to the repository itself (a bypass record) must step outside it.
/// </summary>
public sealed class Quarantine(string? path)
{
    public static Quarantine From(IProcessEnvironment environment) =>
        new(environment.NonEmpty("GIT_QUARANTINE_PATH"));

    public string? Path { get; } = path;

    /// <summary>
    /// A git that writes objects to the main store and may update refs, while still seeing the pushed objects (the
    /// quarantine as an alternate): a record written now points at a commit that git moves into the main store
    /// as soon as the hook accepts the push.
    /// </summary>
    public GitProcess Outside(GitProcess git) => Path is null
        ? git
        : git.With(new Dictionary<string, string?>
        {
            ["GIT_QUARANTINE_PATH"] = null,
            ["GIT_OBJECT_DIRECTORY"] = null,
            ["GIT_ALTERNATE_OBJECT_DIRECTORIES"] = Path,
        });
}
