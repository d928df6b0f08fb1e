using GitPromote.Core;
using GitPromote.Git;

namespace GitPromote.Cli.Services;

/// <summary>
/// The hook settings (<c>core.hooksPath</c>, <c>promote.*hooksPath</c>) read straight from git's config files
/// (<see cref="GitConfigFiles"/>), so an unguarded push starts no <c>git config</c> process; null when only git can tell.
/// </summary>
internal static class HookSettingsFiles
{
    private static readonly string[] Keys = ["core.hookspath", "promote.chainhookspath", "promote.previoushookspath", "promote.installedhookspath"];

    public static IReadOnlyList<ConfigValue>? TryRead(GitLocation repository, IProcessEnvironment environment)
    {
        if (GitConfigFiles.TryRead(repository.CommonDir, environment) is not { } entries) return null;
        var settings = new List<ConfigValue>();
        foreach (var e in entries)
        {
            if (!Keys.Contains(e.Key)) continue;
            if (e.Value is null) return null; // a bare key: git's reading of it is not a path
            settings.Add(new ConfigValue(e.Key, e.Value, e.Scope, "file:" + e.File));
        }
        return settings;
    }
}
