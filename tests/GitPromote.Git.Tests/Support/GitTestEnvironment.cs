using System.Runtime.CompilerServices;
using GitPromote.Core.Settings;
using GitPromote.TestSupport;

namespace GitPromote.Git.Tests.Support;

/// <summary>
/// Isolates every git (and libgit2) the tests start from the machine's configuration: a temporary HOME with its own
/// global config, no system config, and none of the GIT_* variables a surrounding hook might have set.
/// Runs once, before any test, so no test mutates the process environment later.
/// </summary>
internal static class GitTestEnvironment
{
    public static string Root { get; private set; } = "";

    [ModuleInitializer]
    internal static void Initialize()
    {
        Root = Path.Combine(Path.GetTempPath(), "gitpromote-git-tests-" + Environment.ProcessId);
        Directory.CreateDirectory(Root);
        var home = Path.Combine(Root, "home");
        Directory.CreateDirectory(home);
        var globalConfig = Path.Combine(home, ".gitconfig");
        File.WriteAllText(globalConfig,
            "[user]\n\tname = Test User\n\temail = test@example.com\n[init]\n\tdefaultBranch = main\n" +
            "[advice]\n\tdetachedHead = false\n[protocol \"file\"]\n\tallow = always\n");
        Environment.SetEnvironmentVariable("HOME", home);
        Environment.SetEnvironmentVariable("XDG_CONFIG_HOME", Path.Combine(home, ".config"));
        Environment.SetEnvironmentVariable("GIT_CONFIG_NOSYSTEM", "1");
        Environment.SetEnvironmentVariable("GIT_CONFIG_GLOBAL", globalConfig);
        foreach (var v in new[]
                 {
                     "GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES",
                     "GIT_QUARANTINE_PATH", "GIT_CEILING_DIRECTORIES", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT", "GIT_SSH_COMMAND",
                     "GIT_SSH", "GIT_ASKPASS", "SSH_ASKPASS", PromoteSettings.Variables.GitBackend,
                 })
        {
            Environment.SetEnvironmentVariable(v, null);
        }
        // .NET keeps its own copy of the environment on Unix: native libgit2 still sees the real HOME, so point it here.
        LibGit2Sharp.GlobalSettings.SetConfigSearchPaths(LibGit2Sharp.ConfigurationLevel.Global, home);
        LibGit2Sharp.GlobalSettings.SetConfigSearchPaths(LibGit2Sharp.ConfigurationLevel.Xdg, Path.Combine(home, ".config", "git"));
        LibGit2Sharp.GlobalSettings.SetConfigSearchPaths(LibGit2Sharp.ConfigurationLevel.System, Path.Combine(Root, "no-system"));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TempDirectory.TryDelete(Root);
    }
}
