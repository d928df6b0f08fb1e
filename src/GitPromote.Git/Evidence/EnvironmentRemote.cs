using GitPromote.Core.Engine;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Core.Settings;

namespace GitPromote.Git.Evidence;

/// <summary>The remote (a name or URL) that holds an environment's git evidence, and how it was chosen.</summary>
public sealed record EnvironmentRemote(string Environment, string Remote, string Display, string ChosenBy)
{
    /// <summary>
    /// A path on this machine named by the server's git config: a pre-receive hook shows it to pushers, so it is named
    /// by its setting instead, and the commands suggested are the admin's to run.
    /// </summary>
    public bool Hidden { get; init; }

    /// <summary>A command that checks this remote, or, for a <see cref="Hidden"/> one, whom to ask.</summary>
    public string CheckHint(string command) =>
        Hidden ? $"ask the server admin to check git config {PromoteSettings.GitKeys.RemoteFor(Environment)}" : command;

    /// <summary>Text from git about this remote, with a <see cref="Hidden"/> path replaced by its name.</summary>
    public string Scrub(string text) => Hidden ? text.Replace(Remote, Display, StringComparison.Ordinal) : text;

    /// <summary>How a printed command names this remote: the remote's name, or its URL without credentials.</summary>
    public string Argument => EnvironmentRouter.IsUrlPattern(Remote) ? RemoteUrls.Redact(Remote) : Remote;

    /// <summary>
    /// In order: a remote this run was given (<see cref="IGitRepository.GivenRemoteFor"/>); git config
    /// <c>promote.remote.&lt;env&gt;</c> (a URL, as set on servers); the first <c>remotes:</c> entry that
    /// is a remote of this repository; the first entry that is a literal URL (no glob). Otherwise the environment has
    /// no reachable store: <see cref="EvidenceUnavailableException"/>.
    /// </summary>
    public static EnvironmentRemote Resolve(IGitRepository repository, EnvironmentPolicy environment)
    {
        var names = new HashSet<string>(repository.Remotes.Select(r => r.Name), StringComparer.Ordinal);
        if (repository.GivenRemoteFor(environment.Name) is { } given)
        {
            // A pipeline's own flag or variable: shown as given (it is the pipeline's input, not a server's secret path).
            var display = names.Contains(given.Url) ? $"remote {given.Url}" : RemoteUrls.Redact(given.Url);
            return new EnvironmentRemote(environment.Name, given.Url, $"{display} ({given.From})", given.From);
        }
        var key = PromoteSettings.GitKeys.RemoteFor(environment.Name);
        if (repository.ConfigValue(key) is { } configured && configured.Trim().Length > 0)
        {
            var url = configured.Trim();
            return IsLocalPath(url)
                ? new EnvironmentRemote(environment.Name, url, $"the {environment.Name} repository (git config {key})", $"git config {key}") { Hidden = true }
                : Of(environment, url, $"git config {key}");
        }

        foreach (var entry in EnvironmentRouter.RemoteNames(environment))
        {
            if (names.Contains(entry)) return new EnvironmentRemote(environment.Name, entry, "remote " + entry, $"remote '{entry}' of this repository");
        }
        foreach (var entry in environment.Remotes)
        {
            if (IsLiteralUrl(entry)) return Of(environment, entry, "its URL in .promote.yml");
        }

        var listed = environment.Remotes.Count == 0 ? "none" : string.Join(", ", environment.Remotes.Select(RemoteUrls.Redact));
        throw new EvidenceUnavailableException(new EvidenceFailure(
            $"no remote for environment '{environment.Name}'",
            $"none of its remotes ({listed}) is a remote of this repository or a plain URL, and git config {key} is not set",
            $"git remote add {environment.Name} <url>, or name an existing remote in .promote.yml"));
    }

    /// <summary>
    /// <see cref="Resolve"/> for readers and stores: the remote, or why there is none (thrown by their first read or
    /// write, so opening one never fails), and the label they show.
    /// </summary>
    public static (EnvironmentRemote? Remote, EvidenceUnavailableException? Missing, string Label) Lookup(IGitRepository repository,
        EnvironmentPolicy environment)
    {
        try
        {
            var remote = Resolve(repository, environment);
            return (remote, null, $"git refs on {remote.Display}");
        }
        catch (EvidenceUnavailableException e)
        {
            return (null, e, $"git refs of {environment.Name} (no remote)");
        }
    }

    /// <summary>A path (or file:// URL) on this machine, not a network URL: <c>/srv/git/dev.git</c>, <c>../dev.git</c>.</summary>
    private static bool IsLocalPath(string url)
    {
        if (url.StartsWith("file://", StringComparison.OrdinalIgnoreCase)) return true;
        if (url.Contains("://", StringComparison.Ordinal)) return false;
        var colon = url.IndexOf(':');
        var slash = url.IndexOf('/');
        // scp-like host:path has a colon before any slash
        return colon < 0 || (slash >= 0 && slash < colon);
    }

    /// <summary>A <c>remotes:</c> entry that is a URL or path, not a remote name and not a glob.</summary>
    public static bool IsLiteralUrl(string entry) => EnvironmentRouter.IsUrlPattern(entry) && entry.IndexOfAny(['*', '?', '[']) < 0;

    private static EnvironmentRemote Of(EnvironmentPolicy environment, string url, string chosenBy) =>
        new(environment.Name, url, RemoteUrls.Redact(url), chosenBy);
}
