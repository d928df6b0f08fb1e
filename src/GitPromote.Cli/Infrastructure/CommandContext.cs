using GitPromote.Core;
using GitPromote.Core.Settings;
using GitPromote.Git;
using GitPromote.Platform;

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

    /// <summary>git processes, as commands run them (with PROMOTE_TRACE timing each).</summary>
    GitProcess Process { get; }

    /// <summary>Writes (and reads) git config at one level, through <c>git config</c> in <paramref name="workingDirectory"/>.</summary>
    IGitConfigWriter ConfigAt(string workingDirectory, ConfigScope scope);

    /// <summary>The <c>git receive-pack</c> this server hook runs under (<see cref="PushOwner.OfThisPush"/>), or null outside a push.</summary>
    PushOwner? OwnerOfThisPush();
}

/// <summary>One level of git config, as <c>git config --local|--global|--system</c> reads and writes it.</summary>
public interface IGitConfigWriter
{
    string? Get(string key);

    void Set(string key, string value);

    void Unset(string key);
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

    /// <summary>The whole text of a file (IOException when it cannot be read).</summary>
    string ReadAllText(string path);

    /// <summary>At most <paramref name="maxChars"/> characters from the start of a file, or null when it cannot be read.</summary>
    string? ReadStart(string path, int maxChars);

    long Length(string path);

    /// <summary>True for a file its owner may run (always true where files have no modes).</summary>
    bool IsExecutable(string path);

    void WriteAllText(string path, string text);

    /// <summary>
    /// Creates <paramref name="path"/> as a new file with <paramref name="text"/>; fails (IOException) when anything is
    /// there, a symbolic link included (O_CREAT|O_EXCL: never followed).
    /// </summary>
    void CreateNewFile(string path, string text)
    {
        if (FileExists(path) || IsLink(path)) throw new IOException($"{path} exists", 17);
        WriteAllText(path, text);
    }

    void SetUnixFileMode(string path, UnixFileMode mode);

    void CreateDirectory(string path);

    void Move(string from, string to, bool overwrite = false);

    void Copy(string from, string to, bool overwrite = false);

    void Delete(string path);

    /// <summary>True when <paramref name="path"/> is a symbolic link (whatever it points at, or nothing).</summary>
    bool IsLink(string path) => false;

    /// <summary>The names of the files in a folder (not its subfolders), sorted; empty when there is no such folder.</summary>
    IReadOnlyList<string> FileNames(string dir);
}

public static class FileSystemWrites
{
    private const UnixFileMode Readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode Runnable = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>
    /// Replaces <paramref name="path"/> by a rename, so a hook running meanwhile sees the old file or the new one, never a
    /// half-written one or none.
    /// </summary>
    public static void WriteAtomically(this IFileSystem files, string path, string text, bool executable)
    {
        var temp = $"{path}.tmp.{System.Environment.ProcessId}";
        try
        {
            files.WriteAllText(temp, text);
            if (!OperatingSystem.IsWindows()) files.SetUnixFileMode(temp, executable ? Readable | Runnable : Readable);
            files.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (files.FileExists(temp)) files.Delete(temp);
        }
    }
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

    public bool DebugEnabled => Verbose || PromoteSettings.IsTrue(Environment.Get(PromoteSettings.Variables.Debug));

    /// <summary>PROMOTE_TRACE: a line on stderr per git process and AWS call, timed (<see cref="Core.Diagnostics.CallTrace"/>).</summary>
    public bool TraceEnabled => PromoteSettings.IsTrue(Environment.Get(PromoteSettings.Variables.Trace));

    /// <summary>
    /// With PROMOTE_TRACE on, this run's git processes and AWS calls are timed on this context's stderr until the scope
    /// ends (<see cref="Core.Diagnostics.CallTrace"/>); off, nothing.
    /// </summary>
    public IDisposable? BeginTrace()
    {
        if (!TraceEnabled) return null;
        var error = Console.Error;
        var gate = new object();
        // Whole lines through the output boundary, even when calls end on several threads at once.
        return Core.Diagnostics.CallTrace.SendTo(line =>
        {
            lock (gate) error.WriteLine(line);
        });
    }
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

    public GitProcess Process => GitProcess.Default;

    public IGitConfigWriter ConfigAt(string workingDirectory, ConfigScope scope) => new GitConfigEditor(workingDirectory, scope, Process);

    public PushOwner? OwnerOfThisPush() => PushOwner.OfThisPush();
}

internal sealed class SystemFileSystem : IFileSystem
{
    /// <summary>The local disk, for the few readers that are not handed a context (doctor's and install's shim checks).</summary>
    public static IFileSystem Instance { get; } = new SystemFileSystem();

    public bool FileExists(string path) => File.Exists(path);

    public bool DirectoryExists(string path) => Directory.Exists(path);

    public string? ReadRegularFile(string path, string shown, long maxBytes) => RegularFiles.ReadText(path, shown, maxBytes);

    public string ReadAllText(string path) => File.ReadAllText(path);

    public string? ReadStart(string path, int maxChars)
    {
        try
        {
            using var reader = new StreamReader(path);
            var head = new char[maxChars];
            return new string(head, 0, reader.Read(head, 0, head.Length));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public long Length(string path) => new FileInfo(path).Length;

    public bool IsExecutable(string path) => OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & UnixFileMode.UserExecute) != 0;

    public void WriteAllText(string path, string text) => File.WriteAllText(path, text);

    public void CreateNewFile(string path, string text)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        using var writer = new StreamWriter(stream);
        writer.Write(text);
    }

    public void SetUnixFileMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, mode);
    }

    public void CreateDirectory(string path) => Directory.CreateDirectory(path);

    public void Move(string from, string to, bool overwrite = false) => File.Move(from, to, overwrite);

    public void Copy(string from, string to, bool overwrite = false) => File.Copy(from, to, overwrite);

    public void Delete(string path) => File.Delete(path);

    public bool IsLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget is not null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public IReadOnlyList<string> FileNames(string dir) =>
        Directory.Exists(dir) ? [.. Directory.GetFiles(dir).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)] : [];
}
