using GitPromote.Core.Evidence;

namespace GitPromote.Git.Evidence;

/// <summary>Turns what git said into the short what/why/todo a person reads; never with credentials.</summary>
internal static class GitEvidenceFailures
{
    public static EvidenceUnavailableException Unavailable(string what, Exception error, string todo) =>
        new(new EvidenceFailure(SecretRedactor.RedactUrls(what), Why(error), SecretRedactor.RedactUrls(todo)), error);

    /// <summary>As above, about <paramref name="remote"/>: a server-local path in git's words is replaced by its name.</summary>
    public static EvidenceUnavailableException Unavailable(string what, Exception error, string todo, EnvironmentRemote remote) =>
        new(new EvidenceFailure(SecretRedactor.RedactUrls(what), remote.Scrub(Why(error)), SecretRedactor.RedactUrls(remote.CheckHint(todo))), error);

    public static string Why(Exception error) => error switch
    {
        OperationCanceledException => EvidenceFailure.NoAnswerInTime(),
        GitCommandException g => SecretRedactor.RedactUrls(g.Message),
        _ => SecretRedactor.RedactUrls(error.Message),
    };
}
