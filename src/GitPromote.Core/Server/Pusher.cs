using GitPromote.Core.Evidence;
using GitPromote.Core.Settings;

namespace GitPromote.Core.Server;

/// <summary>
/// Who is pushing, and which variable of the server said so (null: nobody did). <see cref="Exact"/> is the identity as the
/// server gave it, byte for byte: the one every rule compares (<c>promote.recorders</c>, an approver's own record).
/// <see cref="Identity"/> is the same cleaned for display and for the records the guard writes (no control characters,
/// no angle brackets, trimmed, at most 100 characters): "pipeline " and "&lt;pipeline&gt;" read alike there, but are not
/// the account "pipeline".
/// </summary>
public sealed record PusherSource(Identity Identity, string? Variable)
{
    public Identity Exact { get; init; } = Identity;

    /// <summary>
    /// The pusher is the operating-system account git runs as (an SSH login): with a shared account such as
    /// <c>git@host</c>, every key is that one name.
    /// </summary>
    public bool IsAccount => Variable is "USER" or "LOGNAME";
}

/// <summary>
/// Who is pushing, as the server that runs the hook knows it. The client's git config is not asked: on a
/// server only the server's own account of the pusher counts.
/// </summary>
public static class Pusher
{
    private const int MaxLength = 100;

    /// <summary>
    /// In order: <c>PROMOTE_PUSHER</c> (the admin's name for an SSH key), GitLab (<c>GL_USERNAME</c>), gitolite
    /// (<c>GL_USER</c>), GitHub Enterprise (<c>GITHUB_USER_LOGIN</c>), Gitea and Forgejo (<c>GITEA_PUSHER_NAME</c>,
    /// <c>GITEA_PUSHER_EMAIL</c>), an HTTP server's authenticated user (<c>REMOTE_USER</c>), the account git runs as
    /// (<c>USER</c>/<c>LOGNAME</c>: the SSH login, or the local user of a file:// push); else unknown. git daemon is
    /// anonymous: its account is the daemon's, not the pusher's, so a push it serves (it sets <c>REMOTE_ADDR</c>, an
    /// SSH session does not) is by "unknown".
    /// </summary>
    public static Identity From(IProcessEnvironment environment) => Describe(environment).Identity;

    public static PusherSource Describe(IProcessEnvironment environment)
    {
        // As given: compared exactly. Only the display copy is cleaned (Named).
        string? Get(string name) => environment.Get(name) is { } v && !string.IsNullOrWhiteSpace(v) ? v : null;

        foreach (var variable in new[] { PromoteSettings.Variables.Pusher, "GL_USERNAME", "GL_USER", "GITHUB_USER_LOGIN" })
            if (Get(variable) is { } name) return Named(new Identity(name, ""), variable);
        if (Get("GITEA_PUSHER_NAME") is { } gitea) return Named(new Identity(gitea, Get("GITEA_PUSHER_EMAIL") ?? ""), "GITEA_PUSHER_NAME");
        if (Get("REMOTE_USER") is { } http) return Named(new Identity(http, ""), "REMOTE_USER");
        var viaSsh = Get("SSH_CONNECTION") is not null || Get("SSH_CLIENT") is not null;
        var viaDaemon = Get("REMOTE_ADDR") is not null;
        if (viaSsh || !viaDaemon)
        {
            if (Get("USER") is { } user) return Named(new Identity(user, ""), "USER");
            if (Get("LOGNAME") is { } login) return Named(new Identity(login, ""), "LOGNAME");
        }
        return new PusherSource(Identity.Unknown, null);
    }

    private static PusherSource Named(Identity exact, string variable) =>
        new(Display(exact), variable) { Exact = exact };

    /// <summary>An identity as a person reads it in a message or a record: cleaned, bounded. Never compared.</summary>
    public static Identity Display(Identity who) => who == Identity.Unknown ? who : new Identity(Clean(who.Name), Clean(who.Email));

    private static string Clean(string value)
    {
        var s = new string(value.Where(c => !char.IsControl(c) && c is not ('<' or '>')).ToArray()).Trim();
        return s.Length > MaxLength ? s[..MaxLength] : s;
    }
}
