using GitPromote.Cli.Infrastructure;
using GitPromote.Core.Evidence;

namespace GitPromote.Cli.Server;

/// <summary>
/// Who is pushing, as the server that runs the hook knows it. The client's git config is not asked: on a
/// server only the server's own account of the pusher counts.
/// </summary>
public static class Pusher
{
    private const int MaxLength = 100;

    /// <summary>
    /// In order: GitLab (<c>GL_USERNAME</c>), GitHub Enterprise (<c>GITHUB_USER_LOGIN</c>), Gitea (<c>GITEA_PUSHER_NAME</c>, <c>GITEA_PUSHER_EMAIL</c>), an HTTP server's
    /// authenticated user (<c>REMOTE_USER</c>), the account git runs as (<c>USER</c>/<c>LOGNAME</c>: the SSH login, or
    /// the local user of a file:// push); else unknown. git daemon is anonymous: its account is the daemon's, not the
    /// pusher's, so a push it serves (it sets <c>REMOTE_ADDR</c>, an SSH session does not) is by "unknown".
    /// </summary>
    public static Identity From(IProcessEnvironment environment)
    {
        string? Get(string name) => environment.Get(name) is { } v && !string.IsNullOrWhiteSpace(v) ? Clean(v) : null;

        if (Get("GL_USERNAME") is { } gitlab) return new Identity(gitlab, "");
        if (Get("GITHUB_USER_LOGIN") is { } github) return new Identity(github, "");
        if (Get("GITEA_PUSHER_NAME") is { } gitea) return new Identity(gitea, Get("GITEA_PUSHER_EMAIL") ?? "");
        if (Get("REMOTE_USER") is { } http) return new Identity(http, "");
        var viaSsh = Get("SSH_CONNECTION") is not null || Get("SSH_CLIENT") is not null;
        var viaDaemon = Get("REMOTE_ADDR") is not null;
        if ((viaSsh || !viaDaemon) && (Get("USER") ?? Get("LOGNAME")) is { } account) return new Identity(account, "");
        return Identity.Unknown;
    }

    private static string Clean(string value)
    {
        var s = new string(value.Where(c => !char.IsControl(c) && c is not ('<' or '>')).ToArray()).Trim();
        return s.Length > MaxLength ? s[..MaxLength] : s;
    }
}
