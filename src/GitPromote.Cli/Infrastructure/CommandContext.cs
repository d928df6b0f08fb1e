using GitPromote.Core;
using GitPromote.Git;

namespace GitPromote.Cli.Infrastructure;

/// <summary>The terminal: two streams, and whether colour is welcome on the error stream (where hooks talk).</summary>
public interface IConsole
{
    TextWriter Out { get; }
    TextWriter Error { get; }
    bool ColorOnError { get; }
    bool ColorOnOut { get; }
    Stream OpenStandardInput();
}

public interface IClock
{
    DateTimeOffset Now { get; }
}

/// <summary>git as a command reaches it: the repository around a folder, and that repository opened.</summary>
public interface IGit
{
    /// <summary>The repository git would find from <paramref name="startDirectory"/> (GIT_DIR and the rest honoured), or null outside one.</summary>
    GitLocation? Locate(string startDirectory);

    /// <param name="config">The repository's configuration when it was read already: the repository does not read it again.</param>
    IGitRepository Open(GitLocation location, GitConfig? config = null);
}

/// <summary>The files a command reads and writes by name (the hooks' own folders and caches keep their paths).</summary>
public interface IFileSystem
{
    bool FileExists(string path);

    bool DirectoryExists(string path);

    /// <summary>
    /// The text of a regular file of at most <paramref name="maxBytes"/>, or null when there is none; a FIFO, device or
    /// oversized file is refused (<see cref="FileRefusedException"/>, naming it as <paramref name="shown"/>).
    /// </summary>
    string? ReadRegularFile(string path, string shown, long maxBytes);

    void WriteAllText(string path, string text);
}

/// <summary>
/// Everything a command may touch outside the process, on one object (as git-credential-manager's ICommandContext):
/// the terminal, the environment, the clock, git and the file system.
/// </summary>
public sealed record CommandContext(IConsole Console, IProcessEnvironment Environment, IClock Clock, IGit Git, IFileSystem FileSystem)
{
    /// <summary>The real machine: this process's console, environment and clock, git on PATH, the local disk.</summary>
    public static CommandContext System()
    {
        var environment = SystemEnvironment.Instance;
        return new CommandContext(new SystemConsole(environment), environment, new SystemClock(), new SystemGit(environment), new SystemFileSystem());
    }

    public bool Verbose { get; init; }

    public bool DebugEnabled => Verbose || Environment.Get("PROMOTE_DEBUG") is "1" or "true";

    /// <summary>PROMOTE_TRACE: a line on stderr per git process and AWS call, timed (<see cref="Core.Diagnostics.CallTrace"/>).</summary>
    public bool TraceEnabled => Environment.Get(Core.Diagnostics.CallTrace.Variable) is "1" or "true";
}

internal sealed class SystemConsole(IProcessEnvironment environment) : IConsole
{
    private readonly bool _noColor = !string.IsNullOrEmpty(environment.Get("NO_COLOR")) || environment.Get("TERM") == "dumb";

    public TextWriter Out { get; } = System.Console.Out;
    public TextWriter Error { get; } = System.Console.Error;
    public bool ColorOnError => !_noColor && !System.Console.IsErrorRedirected;
    public bool ColorOnOut => !_noColor && !System.Console.IsOutputRedirected;
    public Stream OpenStandardInput() => System.Console.OpenStandardInput();
}

internal sealed class SystemClock : IClock
{
    public DateTimeOffset Now => DateTimeOffset.Now;
}

/// <summary>Finds repositories as git does (no process), and opens them with the backend the environment chooses.</summary>
internal sealed class SystemGit(IProcessEnvironment environment) : IGit
{
    public GitLocation? Locate(string startDirectory) => GitRepositoryLocator.Locate(startDirectory, environment);

    public IGitRepository Open(GitLocation location, GitConfig? config = null) => GitRepositoryLocator.Open(location, environment, config: config);
}

internal sealed class SystemFileSystem : IFileSystem
{
    public bool FileExists(string path) => File.Exists(path);

    public bool DirectoryExists(string path) => Directory.Exists(path);

    public string? ReadRegularFile(string path, string shown, long maxBytes) => RegularFiles.ReadText(path, shown, maxBytes);

    public void WriteAllText(string path, string text) => File.WriteAllText(path, text);
}
