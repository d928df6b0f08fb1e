using GitPromote.Cli.Infrastructure;
using GitPromote.Core;
using GitPromote.Gate;
using GitPromote.Git;
using GitPromote.Platform;
using GitPromote.TestSupport;

namespace GitPromote.Cli.Tests.Support;

/// <summary>Runs <see cref="App"/> as the binary would, with a console that records, a fixed clock and git through <see cref="FakeGit"/>.</summary>
internal sealed class FakeCommandLine
{
    public FakeGit Git { get; } = new();

    public IProcessEnvironment Environment { get; init; } = FakeEnvironment.Empty;

    public IFileSystem Files { get; init; } = new SystemFileSystem();

    public IProcessStarter Processes { get; init; } = new NoProcesses();

    /// <summary>The evidence clients commands get from the context; null: the real ones, over this run's files, environment and git.</summary>
    public IEvidenceClients? Evidence { get; set; }

    public async Task<(int Exit, string Out, string Error)> RunAsync(params string[] args)
    {
        var console = new RecordingConsole();
        var context = new CommandContext(console, Environment, new FixedClock(), Git, Files, Processes,
            Evidence ?? new EvidenceClients(Files, Environment, Git.Process));
        var exit = await App.RunAsync(args, context).WaitAsync(TimeSpan.FromSeconds(60));
        return (exit, console.Out.ToString()!, console.Error.ToString()!);
    }
}

/// <summary>A terminal that records both streams, with no colour, and gives <paramref name="stdin"/> (or nothing) as input.</summary>
internal sealed class RecordingConsole(byte[]? stdin = null) : IConsole
{
    public TextWriter Out { get; } = new StringWriter();
    public TextWriter Error { get; } = new StringWriter();
    public bool ColorOnError => false;
    public bool ColorOnOut => false;
    public Stream OpenStandardInput() => new MemoryStream(stdin ?? []);
}

internal sealed class FixedClock : IClock
{
    public DateTimeOffset Now { get; } = new(2024, 6, 1, 9, 30, 0, TimeSpan.Zero);
}

/// <summary>Programs other than git: none may start in a unit test (a test that wants one gives its own <see cref="IProcessStarter"/>).</summary>
internal sealed class NoProcesses : IProcessStarter
{
    public List<ProcessRun> Started { get; } = [];

    public ProcessResult Run(ProcessRun run)
    {
        Started.Add(run);
        throw new InvalidOperationException($"the test started {run.Program}");
    }
}

/// <summary>git as a command sees it: no repository, a given one, or a failure of our own making.</summary>
internal sealed class FakeGit : IGit
{
    public GitLocation? Location { get; set; }
    public IGitRepository? Repository { get; set; }
    public Exception? Failure { get; set; }

    /// <summary>
    /// git processes: by default an executable that does not exist, so a command that starts git where the test expects
    /// none fails loudly (a test that wants real git sets <see cref="GitProcess.Default"/>).
    /// </summary>
    public GitProcess Process { get; set; } = new(executable: "/nonexistent/git-started-by-a-unit-test");

    /// <summary>Config written through <see cref="ConfigAt"/>, per working directory and scope: key → values in order.</summary>
    public Dictionary<(string Directory, ConfigScope Scope), FakeConfig> Configs { get; } = [];

    /// <summary>The receive-pack a server hook runs under: none unless the test says so.</summary>
    public PushOwner? Owner { get; set; }

    public PushOwner? OwnerOfThisPush() => Owner;

    public IGitConfigWriter ConfigAt(string workingDirectory, ConfigScope scope) =>
        Configs.TryGetValue((workingDirectory, scope), out var config) ? config : Configs[(workingDirectory, scope)] = new FakeConfig();

    public GitLocation? Locate(string startDirectory) => Failure is not null ? throw Failure : Location;

    public IGitRepository Open(GitLocation location, GitConfig? config = null) =>
        Repository ?? throw new InvalidOperationException("the test opened no repository");
}

/// <summary>One level of git config in memory.</summary>
internal sealed class FakeConfig : IGitConfigWriter
{
    public Dictionary<string, string> Values { get; } = new(StringComparer.OrdinalIgnoreCase);

    public string? Get(string key) => Values.GetValueOrDefault(key);

    public void Set(string key, string value) => Values[key] = value;

    public void Unset(string key) => Values.Remove(key);
}
