using GitPromote.Core;
using GitPromote.Core.Settings;
using GitPromote.Gate;
using GitPromote.Git;
using GitPromote.Platform;

namespace GitPromote.Cli.Infrastructure;

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

/// <summary>
/// Everything a command may touch outside the process, on one object (as git-credential-manager's ICommandContext):
/// the terminal, the environment, the clock, git, the file system, other programs, and the clients that reach evidence.
/// The real ones are GitPromote.Platform's (and <see cref="SystemGit"/> over GitPromote.Git, GitPromote.Gate's
/// <see cref="EvidenceClients"/>); nothing else reaches the machine.
/// </summary>
public sealed record CommandContext(IConsole Console, IProcessEnvironment Environment, IClock Clock, IGit Git, IFileSystem FileSystem,
    IProcessStarter Processes, IEvidenceClients Evidence)
{
    /// <summary>
    /// The real machine: this process's console, environment and clock, git on PATH, the local disk, programs started here,
    /// and the evidence clients over them (the one place they are made).
    /// </summary>
    public static CommandContext System()
    {
        var environment = SystemEnvironment.Instance;
        var files = new SystemFileSystem();
        var git = new SystemGit(environment, files);
        return new CommandContext(new SystemConsole(environment), environment, new SystemClock(), git, files, new SystemProcessStarter(),
            new EvidenceClients(files, environment, git.Process));
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

/// <summary>Finds repositories as git does (no process, through the context's files), and opens them with the backend the environment chooses.</summary>
internal sealed class SystemGit(IProcessEnvironment environment, IFileSystem files) : IGit
{
    public GitLocation? Locate(string startDirectory) => GitRepositoryLocator.Locate(files, startDirectory, environment);

    public IGitRepository Open(GitLocation location, GitConfig? config = null) => GitRepositoryLocator.Open(files, location, environment, Process, config);

    public GitProcess Process => GitProcess.Default;

    public IGitConfigWriter ConfigAt(string workingDirectory, ConfigScope scope) => new GitConfigEditor(workingDirectory, scope, Process);

    public PushOwner? OwnerOfThisPush() => PushOwner.OfThisPush(files);
}
