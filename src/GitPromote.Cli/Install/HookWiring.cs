using GitPromote.Cli.Infrastructure;
using GitPromote.Core;
using GitPromote.Core.Settings;
using GitPromote.Git;
using GitPromote.Platform;

namespace GitPromote.Cli.Install;

/// <summary>A git config value and where git found it (<c>git config --show-scope --show-origin</c>).</summary>
/// <param name="Scope">git's name for the level: <c>system</c>, <c>global</c>, <c>local</c>, <c>worktree</c> or <c>command</c>.</param>
/// <param name="Origin">git's origin: <c>file:/home/dana/.gitconfig</c>, <c>command line:</c>, ...</param>
public sealed record ConfigValue(string Key, string Value, string Scope, string Origin)
{
    /// <summary>Precedence of <see cref="Scope"/>: a higher rank wins over a lower one.</summary>
    public int Rank => ScopeRank(Scope);

    public static int ScopeRank(string scope) => scope switch
    {
        "system" => 0,
        "global" => 1,
        "local" => 2,
        "worktree" => 3,
        "command" => 4,
        _ => -1,
    };

    public static string ScopeOf(ConfigScope scope) => scope switch
    {
        ConfigScope.System => "system",
        ConfigScope.Global => "global",
        _ => "local",
    };

    /// <summary>"global config (file:/home/dana/.gitconfig)", for messages.</summary>
    public string Describe() => Scope switch
    {
        "local" => $"this clone ({Origin})",
        "command" => "the command line (-c)",
        _ => $"{Scope} config ({Origin})",
    };
}

/// <summary>Why a hook runs after git-promote's guard.</summary>
public enum ChainSource
{
    /// <summary><c>&lt;hook&gt;.local</c> beside the shim: the hook a shared folder had before git-promote's shims were added.</summary>
    LocalSuffix,

    /// <summary><c>promote.chainHooksPath</c>: the hooks folder core.hooksPath pointed at before <c>install --chain</c>.</summary>
    ChainHooksPath,

    /// <summary>The repository's own <c>hooks/</c> folder, hidden by core.hooksPath.</summary>
    RepositoryHooks,
}

public sealed record ChainedHook(string Path, ChainSource Source);

/// <summary>How a hook file in the effective hooks folder compares with the shim this binary carries.</summary>
public enum ShimState
{
    /// <summary>The same shim this binary was built with.</summary>
    Current,

    /// <summary>A git-promote shim of another version: re-run the installer.</summary>
    Outdated,

    /// <summary>Someone else's hook of that name.</summary>
    NotGitPromote,

    Missing,
}

/// <summary>
/// How a clone (or, outside one, the user and machine) is wired to git's hooks: the effective <c>core.hooksPath</c> and the
/// config level it comes from, whether that folder holds git-promote's shims and of which version, which binary they run,
/// and which hooks run after the guard. One <c>git config</c> call reads it all; <c>doctor</c> shows it and the hook uses it
/// to chain.
/// </summary>
public sealed class HookWiring
{
    public const string HooksPathKey = "core.hooksPath";

    /// <summary>In a shared hooks folder git-promote's shims were added to: the binary they run (one line).</summary>
    public const string BinaryPointerFile = ".git-promote-bin";

    /// <summary>Suffix under which a shared folder's own hook is kept when git-promote's shim takes its name.</summary>
    public const string LocalSuffix = ".local";

    private HookWiring(IFileSystem files, IReadOnlyList<ConfigValue> settings, GitLocation? repository, string? home)
    {
        _files = files;
        Settings = settings;
        Repository = repository;
        _home = home;
        HooksPath = settings.LastOrDefault(s => Is(s, HooksPathKey));
        ChainHooksPath = settings.LastOrDefault(s =>
            Is(s, PromoteSettings.GitKeys.ChainHooksPath) && (HooksPath is null || s.Scope == HooksPath.Scope));
        HooksDir = HooksPath is null
            ? repository is null ? null : Path.Combine(repository.CommonDir, "hooks")
            : Resolve(HooksPath.Value);
    }

    private readonly IFileSystem _files;
    private readonly string? _home;

    /// <summary>Every core.hooksPath and promote.* hook setting at every level, lowest precedence first.</summary>
    public IReadOnlyList<ConfigValue> Settings { get; }

    /// <summary>The repository the wiring was read in; null outside one (then only system and global settings exist).</summary>
    public GitLocation? Repository { get; }

    /// <summary>The effective core.hooksPath (the one git uses), or null when unset.</summary>
    public ConfigValue? HooksPath { get; }

    /// <summary>promote.chainHooksPath at the level of the effective core.hooksPath, or null.</summary>
    public ConfigValue? ChainHooksPath { get; }

    /// <summary>
    /// The absolute folder git runs hooks from: core.hooksPath resolved as git does (<c>~</c>; relative to the work tree, or
    /// the git directory when bare), else the repository's <c>hooks/</c>. Null outside a repository for a relative or unset path.
    /// </summary>
    public string? HooksDir { get; }

    /// <summary>The core.hooksPath settings of the levels below <paramref name="scope"/> (lowest first), which a value set there hides.</summary>
    public IReadOnlyList<ConfigValue> HooksPathsBelow(ConfigScope scope) =>
        Settings.Where(s => Is(s, HooksPathKey) && s.Rank < ConfigValue.ScopeRank(ConfigValue.ScopeOf(scope))).ToList();

    /// <summary>The value of a key at one level, or null.</summary>
    public ConfigValue? At(ConfigScope scope, string key) =>
        Settings.LastOrDefault(s => Is(s, key) && s.Scope == ConfigValue.ScopeOf(scope));

    /// <summary>Whether the hook git runs for <paramref name="hookName"/> here is one of git-promote's shims (any version).</summary>
    public bool RunsOurShim(string hookName) => HooksDir is not null && Shims.IsShim(_files, Path.Combine(HooksDir, hookName)) == true;

    public ShimState Shim(string hookName) => HooksDir is null ? ShimState.Missing : ShimStateOf(_files, Path.Combine(HooksDir, hookName), hookName);

    /// <summary>
    /// The binary the shims in <see cref="HooksDir"/> run: the shared folder's pointer, or the installation's <c>bin/</c>
    /// beside the folder; null when they would look it up on PATH (or there are no shims).
    /// </summary>
    public string? ShimBinaryPath => HooksDir is null ? null : ShimBinaryOf(_files, HooksDir);

    /// <summary>
    /// The hooks that run after git-promote's guard allowed a push, in order, each with the same arguments and input:
    /// what git would have run without git-promote. <c>&lt;hook&gt;.local</c> beside the shim and the chained folder's hook;
    /// when neither is configured, the repository's own hook that core.hooksPath hides. Only existing, runnable files that
    /// are not git-promote shims themselves.
    /// </summary>
    public IReadOnlyList<ChainedHook> ChainedHooks(string hookName)
    {
        var chained = new List<ChainedHook>();
        var configured = false;
        if (HooksDir is not null)
        {
            var local = Path.Combine(HooksDir, hookName + LocalSuffix);
            configured |= _files.FileExists(local);
            Add(chained, local, ChainSource.LocalSuffix);
        }
        if (ChainHooksPath is not null)
        {
            configured = true;
            if (Resolve(ChainHooksPath.Value) is { } chainDir) Add(chained, Path.Combine(chainDir, hookName), ChainSource.ChainHooksPath);
        }
        if (!configured && Repository is not null)
        {
            var own = Path.Combine(Repository.CommonDir, "hooks");
            if (HooksDir is null || !SamePath(own, HooksDir)) Add(chained, Path.Combine(own, hookName), ChainSource.RepositoryHooks);
        }
        return chained;
    }

    /// <summary>
    /// The hooks git would run here without git-promote that no longer run with it: those of <see cref="Shims.PerRefHooks"/>
    /// that git-promote's folder has no hook of (the clone's own, a chained folder's), with their paths.
    /// </summary>
    public IReadOnlyList<(string Hook, string Path)> HiddenHooks()
    {
        if (HooksDir is null || !InstalledLayout.IsOurHooksDir(_files, HooksDir)) return [];
        return [.. Shims.PerRefHooks
            .Where(hook => !_files.FileExists(Path.Combine(HooksDir, hook)))
            .SelectMany(hook => ChainedHooks(hook).Select(c => (hook, c.Path)))];
    }

    /// <summary>The keys as git lists them: section and name in lower case.</summary>
    private static readonly string[] SettingKeys =
    [
        .. new[]
        {
            HooksPathKey, PromoteSettings.GitKeys.ChainHooksPath, PromoteSettings.GitKeys.PreviousHooksPath,
            PromoteSettings.GitKeys.InstalledHooksPath,
        }.Select(k => k.ToLowerInvariant()),
    ];

    /// <summary>
    /// The wiring a hook needs to chain, from git's config files when that is certain (<see cref="GitConfig.FromFiles"/>),
    /// else from <c>git config</c> as <see cref="Read"/> does: the same answer, without a process on an unguarded push.
    /// </summary>
    public static HookWiring ReadForHook(IFileSystem files, GitProcess git, GitLocation repository, IProcessEnvironment environment) =>
        GitConfig.FromFiles(files, repository.CommonDir, environment) is { } config && HookSettings(config) is { } settings
            ? new HookWiring(files, settings, repository, environment.Get("HOME") ?? environment.Get("USERPROFILE"))
            : Read(files, git, repository, environment);

    /// <summary>Reads the wiring of the repository at <paramref name="repository"/> (null: the user's and machine's only).</summary>
    public static HookWiring Read(IFileSystem files, GitProcess git, GitLocation? repository, IProcessEnvironment environment,
        string? workingDirectory = null)
    {
        var dir = repository is null ? workingDirectory ?? Path.GetTempPath() : repository.WorkTree ?? repository.GitDir;
        var settings = HookSettings(GitConfig.FromGit(git, dir, [], [], GitBudgets.Quick, levels: true)) ?? [];
        // Outside a repository only the levels every clone shares count (the directory may still be inside some clone).
        if (repository is null) settings = settings.Where(s => s.Scope is "system" or "global" or "command").ToList();
        return new HookWiring(files, settings, repository, environment.Get("HOME") ?? environment.Get("USERPROFILE"));
    }

    /// <summary>The wiring as a command reads it, through its context's files, git and environment.</summary>
    public static HookWiring Read(CommandContext context, GitLocation? repository, string? workingDirectory = null) =>
        Read(context.FileSystem, context.Git.Process, repository, context.Environment, workingDirectory);

    /// <summary>The hook settings among <paramref name="config"/>'s entries; null when one is a bare key (git's reading of it is not a path).</summary>
    internal static IReadOnlyList<ConfigValue>? HookSettings(GitConfig config)
    {
        var settings = new List<ConfigValue>();
        foreach (var e in config.Entries)
        {
            if (!SettingKeys.Contains(e.Key)) continue;
            if (e.Value is null)
            {
                if (config.ReadFromFiles) return null;
                settings.Add(new ConfigValue(e.Key, "", e.Scope, e.Origin));
                continue;
            }
            settings.Add(new ConfigValue(e.Key, e.Value, e.Scope, e.Origin));
        }
        return settings;
    }

    /// <summary>
    /// Whether <paramref name="hooksPath"/>, resolved here, is a folder of git-promote's shims (<see cref="InstalledLayout.IsOurHooksDir"/>).
    /// </summary>
    public bool NamesOurHooksDir(string hooksPath) => Resolve(hooksPath) is { } dir && InstalledLayout.IsOurHooksDir(_files, dir);

    /// <summary>A hooks path as git resolves it when running hooks; null when relative and there is no repository.</summary>
    public string? Resolve(string value)
    {
        if (value == "~" || value.StartsWith("~/", StringComparison.Ordinal))
            return _home is null ? null : Path.GetFullPath(_home + value[1..]);
        if (Path.IsPathRooted(value)) return Path.GetFullPath(value);
        return Repository is null ? null : Path.GetFullPath(value, Repository.WorkTree ?? Repository.GitDir);
    }

    public static ShimState ShimStateOf(IFileSystem files, string path, string hookName)
    {
        string text;
        try
        {
            if (!files.FileExists(path)) return ShimState.Missing;
            text = files.ReadAllText(path).Replace("\r\n", "\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ShimState.Missing;
        }
        if (!text.Contains(HookChain.ShimMarker, StringComparison.Ordinal)) return ShimState.NotGitPromote;
        return Shims.Text(hookName) == text ? ShimState.Current : ShimState.Outdated;
    }

    public static string? ShimBinaryOf(IFileSystem files, string hooksDir)
    {
        var pointer = SharedHooksFolder.ReadBinaryPointer(files, hooksDir);
        if (pointer is not null) return pointer;
        var beside = Path.GetFullPath(Path.Combine(hooksDir, "..", "..", "..", "bin", OperatingSystem.IsWindows() ? "git-promote.exe" : "git-promote"));
        return files.FileExists(beside) ? beside : null;
    }

    private void Add(List<ChainedHook> chained, string path, ChainSource source)
    {
        if (HookChain.IsRunnable(_files, path)) chained.Add(new ChainedHook(path, source));
    }

    private static bool Is(ConfigValue value, string key) => string.Equals(value.Key, key, StringComparison.OrdinalIgnoreCase);

    internal static bool SamePath(string a, string b) =>
        string.Equals(Path.TrimEndingDirectorySeparator(Path.GetFullPath(a)), Path.TrimEndingDirectorySeparator(Path.GetFullPath(b)),
            OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
}
