using System.Text;
using GitPromote.Cli.Infrastructure;
using GitPromote.Core;
using GitPromote.Gate;
using GitPromote.Git;
using GitPromote.Platform;
using GitPromote.TestSupport;

namespace GitPromote.Cli.Tests.Support;

/// <summary>
/// A command run as git runs a hook, without a process: stdin given, the console recorded, git through
/// <see cref="FakeGit"/> (no git process can start unless the test gives one) and files through <see cref="FakeFileSystem"/>.
/// </summary>
internal sealed class HookRun
{
    public FakeGit Git { get; } = new();

    public FakeFileSystem Files { get; } = new();

    public NoProcesses Processes { get; } = new();

    public IProcessEnvironment Environment { get; set; } = FakeEnvironment.Empty;

    /// <summary>A bare repository at <paramref name="gitDir"/>, in memory, with its config.</summary>
    public FakeRepository Bare(string gitDir, params (string Key, string Value)[] config)
    {
        var repository = new FakeRepository(gitDir) { Config = config.ToDictionary(c => c.Key, c => c.Value, StringComparer.OrdinalIgnoreCase) };
        Git.Location = new GitLocation(gitDir, gitDir, null);
        Git.Repository = repository;
        return repository;
    }

    /// <summary>The evidence clients commands get from the context; null: the real ones, over this run's files, environment and git.</summary>
    public IEvidenceClients? Evidence { get; set; }

    public Task<(int Exit, string Out, string Error)> RunAsync(string stdin, params string[] args) => RunAsync(Encoding.UTF8.GetBytes(stdin), args);

    public async Task<(int Exit, string Out, string Error)> RunAsync(byte[] stdin, params string[] args)
    {
        var console = new RecordingConsole(stdin);
        var context = new CommandContext(console, Environment, new FixedClock(), Git, Files, Processes,
            Evidence ?? new EvidenceClients(Files, Environment, Git.Process));
        var exit = await App.RunAsync(args, context).WaitAsync(TimeSpan.FromSeconds(60));
        return (exit, console.Out.ToString()!, console.Error.ToString()!);
    }
}
